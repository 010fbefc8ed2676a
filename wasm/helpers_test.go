//go:build !js

package wasm_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/internal/testpeer"
	"github.com/ringo-sip/ringo/server"
	"github.com/ringo-sip/ringo/transport"
)

// distDir is where TestMain's build put ringo.wasm and wasm_exec.js.
var (
	distDir   string
	buildOnce sync.Once
	buildErr  error
	buildOut  []byte
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ringo-wasm-")
	if err != nil {
		panic(err)
	}
	distDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildWasm builds the package with build.sh once per test binary, as a
// user does, into distDir.
func buildWasm(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		cmd := exec.Command("bash", "build.sh", distDir)
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("wasm/build.sh: %v\n%s", buildErr, buildOut)
	}
	return distDir
}

// startServer runs the embedded server on random loopback WebSocket and
// UDP ports with digest authentication for users (name: password).
func startServer(t testing.TB, users map[string]string) *server.Server {
	t.Helper()
	srv, err := server.New(server.Config{
		WS:    "127.0.0.1:0",
		UDP:   "127.0.0.1:0", // for the native CLI
		Users: users,
		// The test pages come from another loopback port.
		WSOriginPatterns: []string{"127.0.0.1:*"},
		Logger:           slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	// Start's context is the server's life.
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func wsURL(srv *server.Server) string { return "ws://" + srv.Addrs().WS.String() }

// nativeUA starts a native Ringo UA on the server and waits until it is
// registered.
func nativeUA(t testing.TB, srv *server.Server, user, password string, setup func(*ringo.UA)) *ringo.UA {
	t.Helper()
	ws, err := transport.NewWebSocket(wsURL(srv), nil)
	if err != nil {
		t.Fatal(err)
	}
	ua, err := ringo.NewUA(ringo.Config{
		Sockets:         []transport.WeightedSocket{{Socket: ws}},
		URI:             "sip:" + user + "@ringo.test",
		Password:        password,
		ManualRegister:  true,
		NoSessionTimers: true,
		Logger:          slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(ua)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ua.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ua.Stop(ctx)
	})
	if err := ua.Register(ctx); err != nil {
		t.Fatal(err)
	}
	return ua
}

// runPeer runs wasm/testdata/peer.js on the wasm build; env adds to its
// environment.
func runPeer(t testing.TB, ctx context.Context, script string, env map[string]string) *testpeer.NodeProcess {
	t.Helper()
	dist := buildWasm(t)
	root := testpeer.RepoRoot(t)
	e := map[string]string{
		"RINGO_WASM_DIR": dist,
		// ws (and JsSIP) come from the interop tests' packages.
		"NODE_PATH": filepath.Join(root, "interop", "node_modules"),
	}
	for k, v := range env {
		e[k] = v
	}
	rel, err := filepath.Rel(filepath.Join(root, "interop"), script)
	if err != nil {
		t.Fatal(err)
	}
	return testpeer.RunNode(t, ctx, rel, e)
}

// peerScript is the absolute path of a script in testdata.
func peerScript(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
