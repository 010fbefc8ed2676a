//go:build !js

package transport_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transport"
)

// A SIP over WebSocket server mounted on an HTTP server, answering OPTIONS
// on the connection each request came on.
func ExampleWebSocketHandler() {
	quiet := slog.New(slog.DiscardHandler)
	h := transport.NewWebSocketHandler(&transport.WebSocketHandlerOptions{Logger: quiet})
	mux := http.NewServeMux()
	mux.Handle("/sip", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer h.Close()

	go func() {
		for {
			s, err := h.Accept(context.Background())
			if err != nil {
				return
			}
			go serve(s)
		}
	}()

	// A client.
	ws, err := transport.NewWebSocket("ws"+strings.TrimPrefix(srv.URL, "http")+"/sip", &transport.WebSocketOptions{Logger: quiet})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ws.Dial(ctx); err != nil {
		log.Fatal(err)
	}
	defer ws.Close()
	if err := ws.Send(ctx, options(ws).Bytes()); err != nil {
		log.Fatal(err)
	}
	b, err := ws.Read(ctx)
	if err != nil {
		log.Fatal(err)
	}
	resp, _ := sip.Parse(b)
	fmt.Println(resp.StartLine())
	// Output: SIP/2.0 200 OK
}

// A Transport over two WebSocket servers: the one of higher weight is
// tried first, and the transport fails over to the other when it is down.
func ExampleTransport() {
	quiet := slog.New(slog.DiscardHandler)
	backup, err := transport.ListenWebSocket("127.0.0.1:0", nil, &transport.WebSocketHandlerOptions{Logger: quiet})
	if err != nil {
		log.Fatal(err)
	}
	defer backup.Close()
	go func() {
		for {
			s, err := backup.Accept(context.Background())
			if err != nil {
				return
			}
			go serve(s)
		}
	}()

	primary, _ := transport.NewWebSocket("ws://127.0.0.1:1/", &transport.WebSocketOptions{Logger: quiet})
	secondary, _ := transport.NewWebSocket("ws://"+backup.Addr().String()+"/", &transport.WebSocketOptions{Logger: quiet})
	tr, err := transport.New(transport.Config{
		Sockets: []transport.WeightedSocket{
			{Socket: primary, Weight: 10},
			{Socket: secondary, Weight: 1},
		},
		Logger: quiet,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer tr.Close()
	tr.Start()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for ev := range tr.Events() {
		fmt.Println(ev.Kind, ev.Socket.URI().Port == int(backup.Addr().Port()))
		if ev.Kind == transport.EventConnected {
			break
		}
	}
	if err := tr.Send(ctx, options(tr.Socket()).Bytes()); err != nil {
		log.Fatal(err)
	}
	in := <-tr.Messages()
	resp, _ := sip.Parse(in.Data)
	fmt.Println(resp.StartLine())
	// Output:
	// connecting false
	// disconnected false
	// connecting true
	// connected true
	// SIP/2.0 200 OK
}

func ExampleNeedsStream() {
	fmt.Println(transport.NeedsStream(1200, 0))    // unknown MTU: the limit is 1300
	fmt.Println(transport.NeedsStream(1400, 0))    // too big for UDP
	fmt.Println(transport.NeedsStream(1400, 9000)) // a jumbo-frame path
	// Output:
	// false
	// true
	// false
}

// serve answers every request on s with 200, stamping the Via with the
// connection's source address.
func serve(s transport.Socket) {
	defer s.Close()
	for {
		b, err := s.Read(context.Background())
		if err != nil {
			return
		}
		m, err := sip.Parse(b)
		req, ok := m.(*sip.Request)
		if err != nil || !ok {
			continue
		}
		transport.StampVia(req, s.RemoteAddr())
		s.Send(context.Background(), sip.NewResponse(req, 200, "").Bytes())
	}
}

// options builds an OPTIONS to send on s, with Via and Contact from it.
func options(s transport.Socket) *sip.Request {
	host, port := s.SentBy()
	via := sip.Via{Transport: s.ViaTransport(), Host: host, Port: port}
	via.Params.Set("branch", sip.NewBranch())
	via.Params.Set("rport", "")
	req := sip.NewRequest("OPTIONS", sip.URI{Scheme: "sip", Host: s.URI().Host, Port: s.URI().Port})
	h := req.Header()
	h.Add("Via", via.String())
	h.Add("Max-Forwards", "70")
	h.Add("From", "<sip:alice@example.com>;tag="+sip.NewTag())
	h.Add("To", "<sip:alice@example.com>")
	h.Add("Call-ID", sip.NewCallID())
	h.Add("CSeq", "1 OPTIONS")
	h.Add("Contact", "<sip:alice@"+host+";transport=ws>")
	return req
}
