//go:build !js

package transport

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/sip"
)

// testCtx returns a context that ends with the test or after 10 s.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newOptions builds an OPTIONS request to be sent on s, with a Via from
// s's sent-by and transport that asks for rport.
func newOptions(s Socket) *sip.Request {
	host, port := s.SentBy()
	via := sip.Via{Transport: s.ViaTransport(), Host: host, Port: port}
	via.Params.Set("branch", sip.NewBranch())
	via.Params.Set("rport", "")
	target := s.URI()
	target.Params = nil
	req := sip.NewRequest("OPTIONS", target)
	h := req.Header()
	h.Add("Via", via.String())
	h.Add("Max-Forwards", "70")
	h.Add("From", "<sip:ringo@ringo.invalid>;tag="+sip.NewTag())
	h.Add("To", "<"+target.String()+">")
	h.Add("Call-ID", sip.NewCallID())
	h.Add("CSeq", "1 OPTIONS")
	h.Add("Content-Length", "0")
	return req
}

// readRequest reads a message from s and checks that it is a request.
func readRequest(t *testing.T, s Socket) *sip.Request {
	t.Helper()
	b, err := s.Read(testCtx(t))
	if err != nil {
		t.Fatalf("read request: %v", err)
	}
	m, err := sip.Parse(b)
	if err != nil {
		t.Fatalf("parse %q: %v", b, err)
	}
	req, ok := m.(*sip.Request)
	if !ok {
		t.Fatalf("got %q, want a request", m.StartLine())
	}
	return req
}

// readResponse reads a message from s and checks that it is a response.
func readResponse(t *testing.T, s Socket) *sip.Response {
	t.Helper()
	b, err := s.Read(testCtx(t))
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return parseResponse(t, b)
}

func parseResponse(t *testing.T, b []byte) *sip.Response {
	t.Helper()
	m, err := sip.Parse(b)
	if err != nil {
		t.Fatalf("parse %q: %v", b, err)
	}
	resp, ok := m.(*sip.Response)
	if !ok {
		t.Fatalf("got %q, want a response", m.StartLine())
	}
	return resp
}

// answer reads a request on the server socket srv, stamps its Via from
// the connection's source and answers 200 on the same connection.
func answer(t *testing.T, srv Socket) *sip.Request {
	t.Helper()
	req := readRequest(t, srv)
	if err := StampVia(req, srv.RemoteAddr()); err != nil {
		t.Fatal(err)
	}
	if err := srv.Send(testCtx(t), sip.NewResponse(req, 200, "").Bytes()); err != nil {
		t.Fatalf("send 200: %v", err)
	}
	return req
}

// roundTrip sends an OPTIONS on client, answers it on srv and returns the
// request as the server saw it (Via stamped) and the response.
func roundTrip(t *testing.T, client, srv Socket) (*sip.Request, *sip.Response) {
	t.Helper()
	if err := client.Send(testCtx(t), newOptions(client).Bytes()); err != nil {
		t.Fatalf("send OPTIONS: %v", err)
	}
	req := answer(t, srv)
	resp := readResponse(t, client)
	if resp.StatusCode != 200 {
		t.Fatalf("response %q", resp.StartLine())
	}
	return req, resp
}

// accept accepts one connection on l.
func accept(t *testing.T, l interface {
	Accept(context.Context) (Socket, error)
}) Socket {
	t.Helper()
	s, err := l.Accept(testCtx(t))
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	t.Cleanup(func() { closeLater(s) })
	return s
}

// dial dials s and closes it when the test ends.
func dial(t *testing.T, s Socket) {
	t.Helper()
	if err := s.Dial(testCtx(t)); err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { closeLater(s) })
}

// closeLater closes s in the background while reading from it, so that a
// WebSocket close handshake between two test sockets, each closed in turn,
// does not wait for its timeout.
func closeLater(s Socket) {
	go func() {
		for {
			if _, err := s.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	go s.Close()
}

// Short names for the crypto/tls types the tests use.
type (
	tlsConfig      = tls.Config
	tlsCertificate = tls.Certificate
)
