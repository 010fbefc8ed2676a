//go:build !js

package transport

import (
	"context"
	"testing"

	"github.com/ringo-sip/ringo/sip"
)

// benchRoundTrip measures one request and its response between two
// connected sockets: the client sends, the server reads and answers with
// prebuilt bytes, the client reads. Parsing is left out: this is the
// transport's share of a transaction.
func benchRoundTrip(b *testing.B, client, srv Socket) {
	ctx := context.Background()
	req := newOptions(client)
	reqBytes := req.Bytes()
	respBytes := sip.NewResponse(req, 200, "").Bytes()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, err := srv.Read(ctx); err != nil {
				return
			}
			if err := srv.Send(ctx, respBytes); err != nil {
				return
			}
		}
	}()
	b.SetBytes(int64(len(reqBytes) + len(respBytes)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := client.Send(ctx, reqBytes); err != nil {
			b.Fatal(err)
		}
		if _, err := client.Read(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	client.Close()
	<-done
}

func BenchmarkWebSocketRoundTrip(b *testing.B) {
	l, err := ListenWebSocket("127.0.0.1:0", nil, &WebSocketHandlerOptions{Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c, err := NewWebSocket("ws://"+l.Addr().String()+"/", &WebSocketOptions{Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Dial(b.Context()); err != nil {
		b.Fatal(err)
	}
	s, err := l.Accept(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchRoundTrip(b, c, s)
}

func BenchmarkTCPRoundTrip(b *testing.B) {
	l, err := ListenTCP("127.0.0.1:0", &Options{Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c, err := NewTCPSocket(l.Addr().String(), &Options{Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Dial(b.Context()); err != nil {
		b.Fatal(err)
	}
	s, err := l.Accept(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchRoundTrip(b, c, s)
}

func BenchmarkUDPRoundTrip(b *testing.B) {
	l, err := ListenUDP("127.0.0.1:0", &Options{Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c, err := NewUDPSocket(l.Addr().String(), &Options{Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Dial(b.Context()); err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	req := newOptions(c)
	reqBytes := req.Bytes()
	respBytes := sip.NewResponse(req, 200, "").Bytes()
	go func() {
		for {
			_, src, err := l.ReadFrom(ctx)
			if err != nil {
				return
			}
			l.WriteTo(ctx, respBytes, src)
		}
	}()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Send(ctx, reqBytes); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Read(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
