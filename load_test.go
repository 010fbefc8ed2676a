//go:build unix

package ringo_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/server"
	"github.com/ringo-sip/ringo/transport"
)

// Load: how many idle UAs one process keeps registered over WebSocket to
// the embedded server, what each costs in memory and goroutines, and how
// long registering them all takes. The numbers are logged, never asserted.
//
//	go test -run TestLoadRegisterWS -v .                    # 1,000 UAs (200 with -race)
//	RINGO_LOAD_N=10000 go test -run TestLoadRegisterWS -v . # 10,000
//
// The server runs in a child process (this test binary again, running
// TestLoadServerProcess), so that the UAs' memory is measured alone.

// loadN is the number of UAs in the normal test run.
func loadN(t *testing.T) int {
	if s := os.Getenv("RINGO_LOAD_N"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("RINGO_LOAD_N=%q is not a positive number", s)
		}
		return n
	}
	if raceEnabled {
		return 200
	}
	return 1000
}

// raiseFileLimit raises the soft limit on open files to the hard limit and
// returns the limit now in force.
func raiseFileLimit(t testing.TB) uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			t.Logf("raising the open-file limit to %d: %v", lim.Max, err)
			syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
		}
	}
	return uint64(lim.Cur)
}

// openFiles counts this process's open file descriptors (Linux), or -1.
func openFiles() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// memStats is what the load test reads after a GC.
type memStats struct {
	heap, stack uint64
	goroutines  int
}

func readMem() memStats {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memStats{heap: m.HeapInuse, stack: m.StackInuse, goroutines: runtime.NumGoroutine()}
}

func (m memStats) String() string {
	return fmt.Sprintf("%d %d %d", m.heap, m.stack, m.goroutines)
}

// TestLoadServerProcess is the child process of TestLoadRegisterWS, and
// does nothing in a normal run. With RINGO_LOAD_SERVER=1 it starts the
// embedded server on a WebSocket port, prints "WS host:port", then answers
// commands on stdin: "stats" prints "STATS heap stack goroutines" after a
// GC; "count N" prints "COUNT k", the number of the users u0…u(N-1) that
// have a binding. It closes the server at the end of stdin.
func TestLoadServerProcess(t *testing.T) {
	if os.Getenv("RINGO_LOAD_SERVER") != "1" {
		return
	}
	raiseFileLimit(t)
	srv, err := server.New(server.Config{
		WS: "127.0.0.1:0", UDP: server.Off, TCP: server.Off,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	fmt.Printf("WS %s\n", srv.Addrs().WS)
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(sc.Text(), " ")
		switch cmd {
		case "stats":
			fmt.Printf("STATS %s\n", readMem())
		case "count":
			n, _ := strconv.Atoi(arg)
			k := 0
			for i := range n {
				if len(srv.Bindings(fmt.Sprint("u", i))) > 0 {
					k++
				}
			}
			fmt.Printf("COUNT %d\n", k)
		}
	}
}

// loadServer is the child process running the server.
type loadServer struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Scanner
	ws    string
}

func startLoadServer(t *testing.T) *loadServer {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadServerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "RINGO_LOAD_SERVER=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &loadServer{t: t, cmd: cmd, stdin: stdin, out: bufio.NewScanner(stdout)}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	s.ws = s.expect("WS")
	return s
}

// expect returns the rest of the child's next line starting with prefix,
// skipping other lines.
func (s *loadServer) expect(prefix string) string {
	s.t.Helper()
	for s.out.Scan() {
		if rest, ok := strings.CutPrefix(s.out.Text(), prefix+" "); ok {
			return rest
		}
	}
	s.t.Fatalf("load server exited before printing %s: %v", prefix, s.out.Err())
	return ""
}

func (s *loadServer) command(cmd, reply string) string {
	s.t.Helper()
	if _, err := fmt.Fprintln(s.stdin, cmd); err != nil {
		s.t.Fatal(err)
	}
	return s.expect(reply)
}

func (s *loadServer) stats() memStats {
	s.t.Helper()
	var m memStats
	fmt.Sscan(s.command("stats", "STATS"), &m.heap, &m.stack, &m.goroutines)
	return m
}

// forEach runs f(i) for i in [0, n) on workers goroutines.
func forEach(n, workers int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// TestLoadRegisterWS registers N idle UAs over WebSocket with the embedded
// server (in a child process), checks that the server holds a binding for
// each, and logs the time to register them all, the memory and goroutines
// per UA on each side, and the file descriptors used.
func TestLoadRegisterWS(t *testing.T) {
	n := loadN(t)
	limit := raiseFileLimit(t)
	if need := uint64(n) + 64; limit < need {
		t.Fatalf("%d UAs need about %d open files; the limit is %d (raise it with ulimit -n)", n, need, limit)
	}
	srv := startLoadServer(t)
	logger := slog.New(slog.DiscardHandler)
	srvBefore := srv.stats()
	before := readMem()
	fdBefore := openFiles()

	uas := make([]*ringo.UA, n)
	var registered atomic.Int64
	allRegistered := make(chan struct{})
	for i := range uas {
		ws, err := transport.NewWebSocket("ws://"+srv.ws, &transport.WebSocketOptions{Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		ua, err := ringo.NewUA(ringo.Config{
			Sockets: []transport.WeightedSocket{{Socket: ws}},
			URI:     fmt.Sprintf("sip:u%d@ringo.test", i),
			Logger:  logger,
		})
		if err != nil {
			t.Fatal(err)
		}
		var once sync.Once
		ua.OnRegistered(func(ringo.RegisteredEvent) {
			once.Do(func() {
				if registered.Add(1) == int64(n) {
					close(allRegistered)
				}
			})
		})
		ua.OnRegistrationFailed(func(e ringo.RegistrationFailedEvent) {
			t.Errorf("u%d: registration failed: %v", i, e.Err)
		})
		uas[i] = ua
	}
	t.Cleanup(func() {
		forEach(n, 64, func(i int) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			uas[i].Stop(ctx)
		})
	})

	start := time.Now()
	var startErrs atomic.Int64
	forEach(n, 64, func(i int) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := uas[i].Start(ctx); err != nil && startErrs.Add(1) <= 5 {
			t.Errorf("u%d: Start: %v", i, err)
		}
	})
	select {
	case <-allRegistered:
	case <-time.After(60 * time.Second):
		t.Fatalf("%d of %d UAs registered within 60 s", registered.Load(), n)
	}
	regTime := time.Since(start)
	if got := srv.command(fmt.Sprint("count ", n), "COUNT"); got != strconv.Itoa(n) {
		t.Errorf("the server holds bindings for %s users, want %d", got, n)
	}

	after := readMem()
	srvAfter := srv.stats()
	fdAfter := openFiles()
	per := func(a, b uint64) float64 { return (float64(a) - float64(b)) / float64(n) / 1024 }
	t.Logf("%d UAs registered over WebSocket in %v (%.0f registrations/s; race detector %v; GOMAXPROCS %d)",
		n, regTime.Round(time.Millisecond), float64(n)/regTime.Seconds(), raceEnabled, runtime.GOMAXPROCS(0))
	t.Logf("per idle registered UA: %.1f KiB heap in use + %.1f KiB goroutine stacks, %.1f goroutines, %.2f file descriptors",
		per(after.heap, before.heap), per(after.stack, before.stack),
		float64(after.goroutines-before.goroutines)/float64(n), float64(fdAfter-fdBefore)/float64(n))
	t.Logf("server side, per binding: %.1f KiB heap in use + %.1f KiB goroutine stacks, %.1f goroutines",
		per(srvAfter.heap, srvBefore.heap), per(srvAfter.stack, srvBefore.stack),
		float64(srvAfter.goroutines-srvBefore.goroutines)/float64(n))

	start = time.Now()
	forEach(n, 64, func(i int) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := uas[i].Stop(ctx); err != nil {
			t.Errorf("u%d: Stop: %v", i, err)
		}
	})
	t.Logf("%d UAs unregistered and stopped in %v", n, time.Since(start).Round(time.Millisecond))
	if got := srv.command(fmt.Sprint("count ", n), "COUNT"); got != "0" {
		t.Errorf("the server still holds bindings for %s users after Stop", got)
	}
}
