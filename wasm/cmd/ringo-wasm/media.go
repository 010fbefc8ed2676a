//go:build js && wasm

package main

import (
	"context"
	"syscall/js"
	"time"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/browser"
)

// Where the platform has RTCPeerConnection (a browser; Node.js with
// @roamhq/wrtc's classes as globals), calls get media/browser.
func init() {
	newMediaEngine = func(a *api, config js.Value) (media.Engine, error) {
		if !browser.Available() {
			return nil, nil
		}
		cfg := browser.Config{PCConfig: config.Get("pcConfig")}
		if ms, ok := num(config, "ice_gathering_timeout"); ok {
			cfg.GatheringTimeout = time.Duration(ms) * time.Millisecond
		}
		return browser.New(cfg)
	}
	newCallMedia = func(sh *sessHandle, opts js.Value) (media.Session, error) {
		eng, ok := sh.ua.engine.(*browser.Engine)
		if !ok {
			return nil, nil
		}
		return eng.NewSessionWith(context.Background(), browser.SessionOptions{
			PCConfig:    opts.Get("pcConfig"),
			Constraints: opts.Get("mediaConstraints"),
			Stream:      opts.Get("mediaStream"),
			OnPeerConnection: func(pc js.Value) {
				sh.emit("peerconnection", jsObject("peerconnection", pc))
			},
			// JsSIP's "sdp" event: the application may edit e.sdp.
			OnSDP: func(originator, typ, sdp string) string {
				v := call(sh.obj, "_sdp", originator, typ, sdp)
				if v.Type() == js.TypeString {
					return v.String()
				}
				return sdp
			},
		})
	}
}
