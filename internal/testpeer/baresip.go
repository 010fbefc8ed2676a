package testpeer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BaresipInstallHint is the message a test fails with when baresip is
// missing.
const BaresipInstallHint = "baresip not installed: apt-get install baresip"

// BaresipOptions configure StartBaresip.
type BaresipOptions struct {
	// User and Password are the account, registered with digest
	// authentication: its address of record is sip:User@Domain.
	User, Password string
	// Domain is the host part of the address of record; empty means
	// 127.0.0.1.
	Domain string
	// Proxy is the UDP address ("127.0.0.1:5060") of the SIP server,
	// where every request goes (baresip's outbound proxy).
	Proxy string
	// Source is the WAV file baresip sends in its calls (aufile module);
	// it must be 8 kHz, 16-bit mono to avoid resampling. Empty means the
	// aubridge module's silence.
	Source string
}

// BaresipEvent is an event baresip's ctrl_tcp module reports, such as
// {"event":true,"type":"CALL_ESTABLISHED","class":"call","param":"..."}.
type BaresipEvent struct {
	Type      string `json:"type"`
	Class     string `json:"class"`
	Param     string `json:"param"`
	PeerURI   string `json:"peeruri"`
	Direction string `json:"direction"`
}

// Baresip is a baresip 1.0 process started by StartBaresip: a plain-RTP
// softphone with G.711, auto-answer, driven over its ctrl_tcp interface.
type Baresip struct {
	t    testing.TB
	dir  string
	out  logBuffer
	conn net.Conn

	events chan BaresipEvent

	mu      sync.Mutex
	replies map[string]chan ctrlReply
	token   int

	exited  chan struct{}
	waitErr error
}

// ctrlReply is ctrl_tcp's response to a command.
type ctrlReply struct {
	OK    bool   `json:"ok"`
	Data  string `json:"data"`
	Token string `json:"token"`
}

// StartBaresip writes a configuration directory (Dir) and runs baresip in
// it: SIP on 127.0.0.1 (a free UDP port), the account
// <sip:USER@DOMAIN>;auth_pass=...;outbound="sip:PROXY";answermode=auto,
// modules g711,
// aufile (source), aubridge (a player that discards), sndfile (a WAV file
// of each call's decoded and encoded audio in Dir) and ctrl_tcp for
// commands and events. It returns once ctrl_tcp answers; WaitRegistered
// waits for the registration. baresip is stopped in
// t.Cleanup, and its output logged if the test failed.
//
// The test fails with BaresipInstallHint if baresip is missing.
func StartBaresip(t testing.TB, o BaresipOptions) *Baresip {
	t.Helper()
	bin, err := exec.LookPath("baresip")
	if err != nil {
		t.Fatalf("%s (%v)", BaresipInstallHint, err)
	}
	b := &Baresip{t: t, dir: t.TempDir(), events: make(chan BaresipEvent, 256),
		replies: map[string]chan ctrlReply{}, exited: make(chan struct{})}
	sipPort := FreePort(t, "udp")
	ctrlPort := FreePort(t, "tcp")
	src := "aubridge,nil"
	if o.Source != "" {
		src = "aufile," + o.Source
	}
	config := fmt.Sprintf(`poll_method		epoll
sip_listen		127.0.0.1:%d
net_interface		127.0.0.1
audio_player		aubridge,nil
audio_source		%s
audio_alert		aubridge,nil
rtp_timeout		0
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
module_app		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:%d
snd_path		%s
`, sipPort, src, ctrlPort, b.dir)
	if o.Domain == "" {
		o.Domain = "127.0.0.1"
	}
	account := fmt.Sprintf("<sip:%s@%s;transport=udp>;auth_pass=%s;outbound=\"sip:%s;transport=udp\";answermode=auto;regint=60\n",
		o.User, o.Domain, o.Password, o.Proxy)
	for name, body := range map[string]string{"config": config, "accounts": account, "contacts": ""} {
		if err := os.WriteFile(filepath.Join(b.dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-f", b.dir)
	cmd.Dir = b.dir
	cmd.Stdout, cmd.Stderr = &b.out, &b.out
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting baresip: %v", err)
	}
	go func() {
		b.waitErr = cmd.Wait()
		close(b.exited)
	}()
	t.Cleanup(func() {
		if b.conn != nil {
			b.conn.Close()
		}
		stop(cmd, b.exited, 2*time.Second)
		if t.Failed() {
			t.Logf("baresip (exit: %v) output:\n%s", b.waitErr, tail(b.out.String(), 16<<10))
		}
	})
	// ctrl_tcp listens once the modules are loaded.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(ctrlPort)))
		if err == nil {
			b.conn = c
			break
		}
		select {
		case <-b.exited:
			t.Fatalf("baresip exited at start (%v):\n%s", b.waitErr, tail(b.out.String(), 16<<10))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("baresip's ctrl_tcp on port %d did not answer within 10 s: %v\n%s", ctrlPort, err, tail(b.out.String(), 16<<10))
		}
	}
	go b.read()
	return b
}

// Dir is baresip's configuration directory, where sndfile writes its WAV
// files.
func (b *Baresip) Dir() string { return b.dir }

// read reads ctrl_tcp's netstrings until the connection closes.
func (b *Baresip) read() {
	r := bufio.NewReader(b.conn)
	for {
		msg, err := readNetstring(r)
		if err != nil {
			close(b.events)
			return
		}
		var head struct {
			Event    bool `json:"event"`
			Response bool `json:"response"`
		}
		if json.Unmarshal(msg, &head) != nil {
			continue
		}
		switch {
		case head.Event:
			var ev BaresipEvent
			if json.Unmarshal(msg, &ev) == nil {
				select {
				case b.events <- ev:
				default: // nobody reads events: drop, never block
				}
			}
		case head.Response:
			var rep ctrlReply
			if json.Unmarshal(msg, &rep) == nil {
				b.mu.Lock()
				ch := b.replies[rep.Token]
				delete(b.replies, rep.Token)
				b.mu.Unlock()
				if ch != nil {
					ch <- rep
				}
			}
		}
	}
}

// readNetstring reads one netstring ("LEN:DATA,").
func readNetstring(r *bufio.Reader) ([]byte, error) {
	lenStr, err := r.ReadString(':')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(lenStr, ":")))
	if err != nil || n < 0 || n > 1<<20 {
		return nil, fmt.Errorf("bad netstring length %q", lenStr)
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	if buf[n] != ',' {
		return nil, errors.New("netstring does not end with ','")
	}
	return buf[:n], nil
}

// Command runs a baresip command (as its menu module knows them: "dial"
// with a URI, "hangup", "accept", "reginfo", ...) and returns its output.
func (b *Baresip) Command(ctx context.Context, command, params string) (string, error) {
	b.mu.Lock()
	b.token++
	token := strconv.Itoa(b.token)
	ch := make(chan ctrlReply, 1)
	b.replies[token] = ch
	b.mu.Unlock()
	msg, err := json.Marshal(map[string]string{"command": command, "params": params, "token": token})
	if err != nil {
		return "", err
	}
	if _, err := fmt.Fprintf(b.conn, "%d:%s,", len(msg), msg); err != nil {
		return "", fmt.Errorf("baresip command %s: %w", command, err)
	}
	select {
	case rep := <-ch:
		if !rep.OK {
			return rep.Data, fmt.Errorf("baresip command %s %s failed: %s", command, params, rep.Data)
		}
		return rep.Data, nil
	case <-b.exited:
		return "", fmt.Errorf("baresip command %s: baresip exited (%v)", command, b.waitErr)
	case <-ctx.Done():
		return "", fmt.Errorf("baresip command %s: %w", command, ctx.Err())
	}
}

// WaitEvent returns the next event of type typ, skipping the others, or
// fails when ctx ends or baresip exits.
func (b *Baresip) WaitEvent(ctx context.Context, typ string) (BaresipEvent, error) {
	for {
		select {
		case ev, ok := <-b.events:
			if !ok {
				return BaresipEvent{}, fmt.Errorf("waiting for baresip's %s: ctrl_tcp closed (baresip exited?)", typ)
			}
			if ev.Type == typ {
				return ev, nil
			}
			b.t.Logf("baresip event %s %s", ev.Type, ev.Param)
		case <-ctx.Done():
			return BaresipEvent{}, fmt.Errorf("waiting for baresip's %s: %w", typ, ctx.Err())
		}
	}
}

// WaitRegistered polls baresip's registration status ("reginfo") until its
// account is registered ("OK"), or fails when ctx ends. (The REGISTER_OK
// event may come before ctrl_tcp is connected, so it is not waited for.)
func (b *Baresip) WaitRegistered(ctx context.Context) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	last := ""
	for {
		out, err := b.Command(ctx, "reginfo", "")
		if err != nil {
			return err
		}
		if strings.Contains(out, "OK") {
			return nil
		}
		last = out
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("baresip not registered (%s): %w", strings.TrimSpace(last), ctx.Err())
		}
	}
}

// TakeRecording waits for the WAV file sndfile wrote of the audio baresip
// decoded (what it received) in the call that just ended, moves it out of
// sndfile's way (its names only have the second the call started in) and
// returns its new path. Call it after each call, once the call is closed.
func (b *Baresip) TakeRecording(ctx context.Context) (string, error) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		files, _ := filepath.Glob(filepath.Join(b.dir, "dump-*-dec.wav"))
		if len(files) == 1 {
			b.mu.Lock()
			b.token++
			dst := filepath.Join(b.dir, fmt.Sprintf("received-%d.wav", b.token))
			b.mu.Unlock()
			if err := os.Rename(files[0], dst); err != nil {
				return "", err
			}
			enc, _ := filepath.Glob(filepath.Join(b.dir, "dump-*-enc.wav"))
			for _, f := range enc {
				os.Remove(f)
			}
			return dst, nil
		}
		if len(files) > 1 {
			return "", fmt.Errorf("baresip wrote %d recordings, want one: %v", len(files), files)
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return "", fmt.Errorf("no recording from baresip: %w", ctx.Err())
		}
	}
}
