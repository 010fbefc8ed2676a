//go:build !js

package server_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"time"

	"github.com/ringo-sip/ringo/server"
	"github.com/ringo-sip/ringo/sip"
)

// Start a server on random loopback ports for WebSocket, UDP and TCP, and
// ping it with an OPTIONS over UDP. Clients connect to ws://<Addrs().WS>,
// or send to Addrs().UDP and Addrs().TCP.
func Example() {
	srv, err := server.New(server.Config{
		WS:     "127.0.0.1:0",
		UDP:    "127.0.0.1:0",
		TCP:    "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		// Users: map[string]string{"alice": "secret"} turns digest
		// authentication on; UsersFile reads them from a file.
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	addrs := srv.Addrs()
	fmt.Println("WebSocket on loopback:", addrs.WS.Addr().IsLoopback(), "random port:", addrs.WS.Port() != 0)

	// An OPTIONS ping to the server itself (no user part) gets 200.
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addrs.UDP))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	ping := sip.NewRequest("OPTIONS", sip.MustParseURI("sip:"+addrs.UDP.String()))
	h := ping.Header()
	h.Add("Via", "SIP/2.0/UDP "+conn.LocalAddr().String()+";rport;branch="+sip.NewBranch())
	h.Add("Max-Forwards", "70")
	h.Add("From", "<sip:ping@example.com>;tag="+sip.NewTag())
	h.Add("To", "<sip:"+addrs.UDP.String()+">")
	h.Add("Call-ID", sip.NewCallID())
	h.Add("CSeq", "1 OPTIONS")
	conn.Write(ping.Bytes())
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := conn.Read(buf)
	if err != nil {
		log.Fatal(err)
	}
	msg, err := sip.Parse(buf[:n])
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(msg.StartLine())
	// Output:
	// WebSocket on loopback: true random port: true
	// SIP/2.0 200 OK
}
