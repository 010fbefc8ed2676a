//go:build !js

package webrtc_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/webrtc"
)

// Two sessions in one process: A plays a 440 Hz tone, B records it to a
// WAV file. The SDP strings are what a SIP INVITE and its 200 would carry.
func Example() {
	ctx := context.Background()
	engine, _ := webrtc.New(webrtc.Config{IncludeLoopback: true})

	rec, _ := audio.CreateWAV("b.wav")
	a, _ := engine.NewSessionWith(ctx, webrtc.SessionOptions{AudioSource: audio.NewTone(440, 0.5)})
	b, _ := engine.NewSessionWith(ctx, webrtc.SessionOptions{AudioSink: rec})
	defer a.Close()
	defer b.Close() // closes rec too

	offer, _ := a.CreateOffer(ctx, media.OfferOptions{}) // the INVITE's body
	answer, err := b.CreateAnswer(ctx, offer)            // the 200's body
	if err != nil {
		fmt.Println("488:", err)
		return
	}
	a.SetRemoteAnswer(answer)
	<-b.Connected()
	time.Sleep(time.Second)

	a.SendDTMF(ctx, "123#", media.DTMFOptions{})
	fmt.Println(a.Stats().Audio.Sent.Packets > 0)
}
