package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// defaultTimeout bounds a one-shot command (register, message, options)
// and the start of an agent.
const defaultTimeout = 30 * time.Second

// uaFlags are the flags every command that runs a user agent shares.
type uaFlags struct {
	servers     serverList
	uri         string
	user        string
	password    string
	displayName string
	expires     secondsValue
	json        bool
	timeout     time.Duration
	verbose     bool
}

// addUAFlags defines the shared flags on fs.
func addUAFlags(fs *flag.FlagSet) *uaFlags {
	f := &uaFlags{}
	fs.Var(&f.servers, "server", "SIP `URL` of the server: ws://host:port/path, wss://..., udp:host:port, tcp:host:port\nor tls:host:port; repeat it for fallbacks, the first is tried first")
	fs.StringVar(&f.uri, "uri", "", "the user's SIP address of record (`URI`), such as sip:alice@example.com (required)")
	fs.StringVar(&f.user, "user", "", "user name for digest authentication (default the user part of --uri)")
	fs.StringVar(&f.password, "password", "", "digest password (default $RINGO_PASSWORD)")
	fs.StringVar(&f.displayName, "display-name", "", "display name put in From")
	fs.Var(&f.expires, "expires", "registration interval asked for, in `seconds` or as a duration such as 10m\n(default 600)")
	fs.BoolVar(&f.json, "json", false, "print events as JSON, one object per line")
	fs.DurationVar(&f.timeout, "timeout", defaultTimeout, "give up after this long (0: no limit)")
	fs.BoolVar(&f.verbose, "v", false, "log SIP messages and transport details on standard error")
	return f
}

// check reports what is missing from the shared flags, as a usage error
// message, and fills the password from the environment.
func (f *uaFlags) check(e *env) error {
	if len(f.servers) == 0 {
		return errors.New("--server is required")
	}
	if f.uri == "" {
		return errors.New("--uri is required")
	}
	if l := strings.ToLower(f.uri); !strings.HasPrefix(l, "sip:") && !strings.HasPrefix(l, "sips:") {
		f.uri = "sip:" + f.uri
	}
	if f.password == "" {
		f.password = e.getenv("RINGO_PASSWORD")
	}
	if f.timeout < 0 {
		return fmt.Errorf("--timeout %v is negative", f.timeout)
	}
	return nil
}

// newLogger returns the logger of a command: SIP traces and transport
// details at Debug level with -v; otherwise only errors, since the
// command reports connections and failures as events itself.
func newLogger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelError
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// serverList is the repeatable --server flag.
type serverList []string

func (s *serverList) String() string { return strings.Join(*s, ", ") }

func (s *serverList) Set(v string) error {
	if v == "" {
		return errors.New("empty server")
	}
	*s = append(*s, v)
	return nil
}

// secondsValue is a duration flag that also takes a plain number of
// seconds, as SIP counts them.
type secondsValue time.Duration

func (v *secondsValue) String() string {
	if *v == 0 {
		return ""
	}
	return strconv.Itoa(int(time.Duration(*v) / time.Second))
}

func (v *secondsValue) Set(s string) error {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 {
			return errors.New("want a positive number of seconds")
		}
		*v = secondsValue(time.Duration(n) * time.Second)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("want seconds or a duration such as 10m")
	}
	if d < time.Second {
		return errors.New("want at least one second")
	}
	*v = secondsValue(d)
	return nil
}
