//go:build !js

package rtp_test

import (
	"context"
	"fmt"
	"net"

	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/media/audio"
	"github.com/ringo-sip/ringo/media/rtp"
)

// Two plain RTP sessions in one process: A plays a 440 Hz tone and B hands
// what it receives to a PCMReader. The SDP strings are what a SIP INVITE
// and its 200 would carry.
func Example() {
	ctx := context.Background()
	engine, _ := rtp.New(rtp.Config{LocalIP: net.IPv4(127, 0, 0, 1)})

	frames := audio.NewPCMReader(0)
	a, _ := engine.NewSessionWith(ctx, rtp.SessionOptions{AudioSource: audio.NewTone(440, 0.5)})
	b, _ := engine.NewSessionWith(ctx, rtp.SessionOptions{AudioSink: frames})
	defer a.Close()
	defer b.Close() // closes frames too

	offer, _ := a.CreateOffer(ctx, media.OfferOptions{}) // the INVITE's body
	answer, err := b.CreateAnswer(ctx, offer)            // the 200's body
	if err != nil {
		fmt.Println("488:", err)
		return
	}
	a.SetRemoteAnswer(answer)

	var got []int16
	for len(got) < 4096 {
		got = append(got, <-frames.Frames()...)
	}
	fmt.Printf("%.0f Hz in %s\n", audio.DominantFrequency(got, audio.Rate), a.Stats().Audio.Codec)
	// Output: 440 Hz in PCMU
}
