package main

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/ringo-sip/ringo/digest"
	"github.com/ringo-sip/ringo/server"
)

var serveCommand = &command{
	name:    "serve",
	args:    "[--ws ADDR] [--udp ADDR] [--tcp ADDR] [--users FILE [--digest ALGS]] [--domain D] [--web ADDR [--web-dist DIR]] [flags]",
	summary: "run the embedded SIP registrar and proxy",
	help: `Serve runs Ringo's embedded SIP server, a registrar and stateful proxy for
SIP over WebSocket, UDP and TCP, until it is interrupted (Ctrl-C, SIGTERM).
It is what the demo and the tests run against; it is no replacement for
Kamailio.

Without --ws, --udp and --tcp it listens on 127.0.0.1:8080 (WebSocket),
127.0.0.1:5060 (UDP) and 127.0.0.1:5060 (TCP); given any of them, it
listens on those only. An ADDR is host:port; port 0 picks a free port.
The addresses it listens on are printed in the form the --server flag of
the other commands takes (with --json as {"event":"listening",
"transport":"ws","addr":"127.0.0.1:8080","server":"ws://127.0.0.1:8080"}
lines).

With --users, digest authentication is on: FILE holds one user:password
per line ("#" starts a comment). Without it anyone may register any user.
With --domain the server serves that SIP domain only; without it, any.

The exit status is 0 when the server ran until it was interrupted, 1 when
it could not start, and 2 for a wrong command line.
`,
	run: runServe,
}

// runServe is the serve command.
func runServe(e *env, cmd *command, args []string) int {
	fs := newFlagSet(cmd)
	ws := fs.String("ws", "", "listen for SIP over WebSocket on `ADDR` (host:port)")
	udp := fs.String("udp", "", "listen for SIP over UDP on `ADDR`")
	tcp := fs.String("tcp", "", "listen for SIP over TCP on `ADDR`")
	users := fs.String("users", "", "digest users, one user:password per line, in `FILE`")
	algs := fs.String("digest", "", "challenge with these digest `ALGORITHMS`, comma-separated, most preferred first (default SHA-256,MD5; MD5 alone for clients that read only the first challenge)")
	domain := fs.String("domain", "", "the SIP `domain` served (default any)")
	web := fs.String("web", "", "also serve the web phone (the wasm build) over HTTP on `ADDR`")
	webDist := fs.String("web-dist", "", "take ringo.wasm and wasm_exec.js from `DIR` (default: build them now)")
	asJSON := fs.Bool("json", false, "print the listening addresses as JSON, one object per line")
	verbose := fs.Bool("v", false, "log SIP messages on standard error")
	pos, status, ok := parseArgs(e, cmd, fs, args)
	if !ok {
		return status
	}
	if len(pos) != 0 {
		return usageError(e, cmd, "want no arguments, got %d", len(pos))
	}
	for _, a := range []struct{ flag, addr string }{{"--ws", *ws}, {"--udp", *udp}, {"--tcp", *tcp}, {"--web", *web}} {
		if a.addr == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(a.addr); err != nil {
			return usageError(e, cmd, "%s %s: want host:port", a.flag, a.addr)
		}
	}
	digestAlgs, err := parseDigestAlgorithms(*algs)
	if err != nil {
		return usageError(e, cmd, "--digest %s: %v", *algs, err)
	}
	rep := newReporter(e, cmd, *asJSON)
	srv, err := server.New(server.Config{
		DigestAlgorithms: digestAlgs,
		WS:               *ws,
		UDP:              *udp,
		TCP:              *tcp,
		UsersFile:        *users,
		Domain:           *domain,
		Logger:           newLogger(e.stderr, *verbose),
		// The web phone's page opens its WebSocket from the --web origin.
		WSOriginPatterns: webOrigins(*web),
	})
	if err != nil {
		rep.errorf("%v", err)
		return exitFailure
	}
	if err := srv.Start(e.ctx); err != nil {
		rep.errorf("%v", err)
		return exitFailure
	}
	defer srv.Close()
	for _, l := range listeners(srv.Addrs()) {
		rep.event(fmt.Sprintf("listening on %-28s (%s)", l.server, l.name),
			"listening", "transport", l.transport, "addr", l.addr.String(), "server", l.server)
	}
	if *web != "" {
		if code := serveWeb(e, rep, *web, *webDist, srv.Addrs(), *domain); code != exitOK {
			return code
		}
	}
	auth := "off: anyone may register"
	if *users != "" {
		auth = "on, users from " + *users
	}
	rep.progress("authentication %s; press Ctrl-C to stop", auth)
	<-e.ctx.Done()
	rep.progress("stopping")
	if err := srv.Close(); err != nil {
		rep.errorf("%v", err)
		return exitFailure
	}
	return exitOK
}

// parseDigestAlgorithms reads "SHA-256,MD5" (any case); "" is nil, the
// server's default.
func parseDigestAlgorithms(list string) ([]digest.Algorithm, error) {
	if list == "" {
		return nil, nil
	}
	known := []digest.Algorithm{digest.MD5, digest.MD5Sess, digest.SHA256, digest.SHA256Sess, digest.SHA512_256, digest.SHA512_256Sess}
	var out []digest.Algorithm
	for _, name := range strings.Split(list, ",") {
		i := slices.IndexFunc(known, func(a digest.Algorithm) bool { return strings.EqualFold(string(a), strings.TrimSpace(name)) })
		if i < 0 {
			return nil, fmt.Errorf("unknown algorithm %q (want MD5, SHA-256, SHA-512-256 or their -sess forms)", name)
		}
		out = append(out, known[i])
	}
	return out, nil
}

// listener is one address a server listens on.
type listener struct {
	transport string         // "ws", "udp", "tcp"
	name      string         // "WebSocket"
	addr      netip.AddrPort // 127.0.0.1:8080
	server    string         // the --server form: ws://127.0.0.1:8080
}

// listeners lists the addresses of a started server, WebSocket first.
func listeners(a server.Addrs) []listener {
	var out []listener
	for _, l := range []struct {
		transport, name string
		addr            netip.AddrPort
	}{
		{"ws", "WebSocket", a.WS},
		{"wss", "secure WebSocket", a.WSS},
		{"udp", "UDP", a.UDP},
		{"tcp", "TCP", a.TCP},
		{"tls", "TLS", a.TLS},
	} {
		if !l.addr.IsValid() {
			continue
		}
		srv := l.transport + ":" + l.addr.String()
		if strings.HasPrefix(l.transport, "ws") {
			srv = l.transport + "://" + l.addr.String()
		}
		out = append(out, listener{transport: l.transport, name: l.name, addr: l.addr, server: srv})
	}
	return out
}
