// Ringo is the command-line tool of the Ringo SIP library: it runs the
// embedded SIP server, registers, sends and receives instant messages and
// OPTIONS, places and answers calls with WebRTC audio, shows the whole
// stack at work in a demo, and inspects SIP messages; later commands load
// a server with many user agents.
//
// Usage:
//
//	ringo <command> [arguments]
//	ringo help [command]
//
// The commands are:
//
//	demo       run a server and two user agents that message and call each other
//	serve      run the embedded SIP registrar and proxy
//	register   register with a SIP server, report, unregister
//	message    send an instant message (SIP MESSAGE)
//	options    ask a user agent what it supports (SIP OPTIONS)
//	call       place a call with audio and report how it goes
//	agent      register and stay online, printing what arrives; answer calls
//	inspect    parse a SIP message and print it as a tree
//
// # Demo
//
//	ringo demo [--bob udp|tcp|ws] [-v] [--timeout D]
//
// Demo starts the embedded server on free ports of 127.0.0.1 with digest
// authentication, and two user agents in the same process: alice over
// WebSocket and bob over UDP (or TCP, or WebSocket). Both register and
// each sends the other a MESSAGE. Then alice calls bob with WebRTC audio
// on 127.0.0.1 and plays a 440 Hz tone for two seconds, bob records it in
// memory, alice sends DTMF 123# as RFC 4733 events and hangs up; the demo
// analyses bob's recording. Both unregister, and a transcript with the
// time of each step is printed, ending with the verdicts:
//
//	Both messages arrived intact.
//	bob heard 440 Hz for 2.3 s (440.0 Hz measured, level 0.36), and DTMF 123# arrived in order.
//
// It exits 0 only when both messages arrived intact, the frequency bob
// heard is within 10 Hz of 440 Hz, for at least 1.5 s at a level above
// 0.1 of full scale, and the four tones arrived in order.
//
// # Serve
//
//	ringo serve [--ws ADDR] [--udp ADDR] [--tcp ADDR] [--users FILE] [--domain D] [--json] [-v]
//
// Serve runs the embedded registrar and proxy (package server) until
// Ctrl-C, by default on 127.0.0.1:8080 (WebSocket) and 127.0.0.1:5060
// (UDP and TCP), and prints each address it listens on in the form
// --server takes ("ws://127.0.0.1:8080", "udp:127.0.0.1:5060"). A users
// file of "user:password" lines turns digest authentication on.
//
// # User agent commands
//
//	ringo register --server URL --uri URI [flags]
//	ringo message  --server URL --uri URI [--content-type T] [--register] [flags] TARGET TEXT|-
//	ringo options  --server URL --uri URI [--register] [flags] TARGET
//	ringo call     --server URL --uri URI [--register] [media flags] [--duration D] [--dtmf TONES] [--dtmf-info] [flags] TARGET
//	ringo agent    --server URL --uri URI [--reject CODE] [--duration D] [--answer [media flags] [--answer-delay D]] [flags]
//
// They run one user agent (package ringo) and share these flags:
//
//	--server URL        ws://, wss://, udp:host:port, tcp:host:port, tls:host:port;
//	                    repeatable, the first is tried first, the others are fallbacks
//	--uri URI           the address of record, "sip:alice@example.com" or "alice@example.com"
//	--user NAME         digest user name (default the user part of --uri)
//	--password P        digest password (default $RINGO_PASSWORD)
//	--display-name N    display name in From
//	--expires SECONDS   registration interval asked for (default 600)
//	--json              events as JSON, one object per line
//	--timeout D         give up after D (default 30s; for agent, the start only)
//	-v                  SIP messages and transport details on standard error
//
// Register registers, reports and unregisters. Message and options send
// one request (without registering, unless --register) and print the
// response's status; options also prints Allow, Supported and Accept.
// Agent registers and stays online until Ctrl-C or --duration, printing
// every MESSAGE it receives and answering it 200 (or --reject CODE), and
// answering OPTIONS; it keeps its registration fresh and registers again
// after a reconnection. Ctrl-C (SIGINT, SIGTERM) makes every command
// unregister before it exits.
//
// # Calls
//
// Call places a call to TARGET with WebRTC audio (package media/webrtc:
// ICE, DTLS-SRTP, G.711, RFC 4733) and shows its progress as it happens on
// standard error: INVITE sent, ringing, answered with the setup time, the
// first RTP packet received, then every second the talk time and the
// packets sent and received. It sends --dtmf once the media is up (as SIP
// INFO with --dtmf-info), hangs up after --duration (counted from the
// answer), when the callee hangs up or on Ctrl-C, and exits 0 only when
// the call was answered and ended by a BYE. --timeout bounds the wait for
// an answer: after it the call is cancelled. A sample, with the callee an
// agent playing a tone:
//
//	$ ringo call --server ws://127.0.0.1:8080 --uri alice@ringo.test --play tone:1000 --duration 2s --dtmf 12 bob
//	ringo call: calling sip:bob@ringo.test, playing 1000 Hz tone
//	ringo call: trying: INVITE sent (SDP offer ready in 2.3 ms)
//	ringo call: ringing (180 Ringing) after 6.0 ms
//	ringo call: answered (200 OK); setup time 16.1 ms
//	ringo call: confirmed (ACK sent)
//	ringo call: media flowing: first RTP packet 37.3 ms after the INVITE (PCMU)
//	ringo call: DTMF 1 sent (rfc4733, 100.0 ms)
//	ringo call: DTMF 2 sent (rfc4733, 100.0 ms)
//	ringo call: 1.0 s  PCMU  sent 51 packets, received 51 (lost 0, jitter 2.1 ms)
//	ringo call: 2s passed: hanging up
//	ringo call: call ended by local (Terminated) after 2.0 s
//	ringo call: 2.0 s  PCMU  sent 100 packets, received 100 (lost 0, jitter 0.7 ms)
//
// Agent --answer answers incoming calls (after --answer-delay); without
// it they are refused with 480. Its call events go to standard output
// like its other events, numbered "call 1: ...", and with --json carry
// "call":N. After each call it reports the recording: its length, how much
// of it is sound, its level and dominant frequency.
//
// Both take the media flags:
//
//	--play FILE|tone:HZ|silence  what to send: a WAV file (16-bit PCM, mono or
//	                             stereo, 8 to 48 kHz), a sine tone, or silence
//	--record FILE.wav            write the audio received (8 kHz, 16-bit mono);
//	                             for agent a FILE (the second call goes to
//	                             FILE-2.wav...) or a directory (one that exists or
//	                             ends in "/": call-TIME-USER-N.wav in it)
//	--gathering-timeout D        wait at most D for ICE candidates (default 3s)
//	--media-ip IP                gather host candidates on IP only; by default on
//	                             every interface, loopback included
//
// Events go to standard output, as readable lines or, with --json, as one
// JSON object per line whose "event" member names it; members that do not
// apply are left out:
//
//	{"event":"connecting","server":"ws://127.0.0.1:8080","attempt":1}
//	{"event":"connected","server":"ws://127.0.0.1:8080"}
//	{"event":"disconnected","server":"...","error":"...","code":1001,"reason":"..."}
//	{"event":"registered","aor":"sip:alice@example.com","expires":600}
//	{"event":"registration_failed","aor":"...","cause":"Authentication Error","status":401,"reason":"Unauthorized"}
//	{"event":"unregistered","aor":"...","cause":"Connection Error"}
//	{"event":"message","from":"sip:bob@example.com","display_name":"Bob","to":"sip:alice@example.com","content_type":"text/plain","body":"hi"}
//	{"event":"options","from":"sip:bob@example.com"}
//	{"event":"response","method":"OPTIONS","target":"sip:bob@example.com","status":200,"reason":"OK","allow":["MESSAGE"],"supported":["path"],"accept":"text/plain"}
//	{"event":"response","method":"MESSAGE","target":"sip:carol@example.com","status":404,"reason":"Not Found","cause":"Not Found"}
//	{"event":"request_failed","method":"MESSAGE","target":"...","cause":"Request Timeout","error":"..."}
//	{"event":"listening","transport":"ws","addr":"127.0.0.1:8080","server":"ws://127.0.0.1:8080"}
//	{"event":"call_incoming","call":1,"from":"sip:alice@ringo.test","to":"sip:bob@ringo.test"}
//	{"event":"call_progress","originator":"remote","status":180,"reason":"Ringing","elapsed_ms":7.5}
//	{"event":"call_accepted","originator":"remote","status":200,"reason":"OK","setup_ms":24.1}
//	{"event":"call_confirmed","originator":"local","elapsed_ms":24.2}
//	{"event":"call_media","codec":"PCMU","first_rtp_ms":65.5}
//	{"event":"dtmf","tone":"1","originator":"local","transport":"rfc4733","duration_ms":100}
//	{"event":"stats","duration_s":1,"codec":"PCMU","sent_packets":51,"sent_bytes":8160,"received_packets":51,"received_bytes":8160,"received_lost":0,"jitter_ms":0.7}
//	{"event":"call_ended","cause":"Terminated","originator":"local","duration_s":1.5}
//	{"event":"call_failed","cause":"Not Found","originator":"remote","status":404,"reason":"Not Found","elapsed_ms":1.7}
//	{"event":"recording","call":1,"file":"bob.wav","duration_s":1.5,"sound_s":1.5,"rms":0.355,"frequency_hz":1000}
//
// The causes are JsSIP's (ringo.Cause). Progress and errors go to
// standard error as "ringo COMMAND: ..." lines; so do the call command's
// call events, which it prints as JSON on standard output too with --json.
//
// Every command exits 0 on success, 1 on failure (a failure response, no
// response in time, a failed registration, a server that cannot be
// reached, an interrupted one-shot command, a call not answered or not
// ended by a BYE) and 2 for a wrong command line.
//
// # Inspect
//
//	ringo inspect [-json] FILE|-
//
// Inspect reads one SIP message from FILE, or from standard input when
// FILE is "-", parses it with sip.Parse and prints a tree:
//
//   - the start line: for a request the method, the Request-URI broken
//     into scheme, user, password, host, port, parameters and headers,
//     and the version; for a response the version, status code, reason
//     phrase and the class of the code;
//   - each header field in order, with its name as written (a compact
//     name is followed by the full one: "v (Via)") and its value with
//     line folding undone; for headers that the sip package has a typed
//     parser for, the typed fields are indented below it: Via (protocol,
//     transport, host, port, branch, received, rport, maddr, ttl, other
//     parameters), From and To (display name, URI parts, tag, other
//     parameters), Contact, Route, Record-Route, Path and Service-Route
//     (each address with its expires and q), CSeq (seq and method),
//     Max-Forwards, Content-Length, Expires, Min-Expires, Content-Type and
//     Accept (type, subtype, parameters), Content-Disposition, Event,
//     Subscription-State, Allow-Events, Require, Proxy-Require, Supported,
//     Unsupported and Allow (the tokens), Session-Expires, Min-SE, RSeq,
//     RAck, Refer-To, Referred-By, Replaces, Reason, WWW-Authenticate,
//     Proxy-Authenticate, Authorization, Proxy-Authorization (scheme and
//     auth-params, unquoted) and Authentication-Info. Other headers are
//     shown verbatim;
//   - the body: its length, content type and kind, and by kind the m=
//     lines of an SDP body, the first line of a text body or a summary of
//     each part of a multipart body; a binary body only by its length.
//
// A header whose typed value does not parse keeps its place in the tree,
// with the error on the next line, marked "!":
//
//	Via: SIP/2.0/UDP 192.0.2.15;;,;,,
//	  ! sip: bad Via at offset 189: empty parameter
//
// A message that does not parse at all is reported first, with the header
// and the byte offset at fault, then, when the start line and headers
// could be read, those as far as they go:
//
//	error: sip: bad Content-Length at offset 320: message incomplete: ...
//
// With -json (or --json) inspect prints the same information as one JSON
// document with snake_case members: "ok"; "error" ({"message", "header",
// "offset"}) and "partial" for a message that did not parse; "request"
// ({"start_line", "method", "uri", "version"}) or "response"
// ({"start_line", "version", "status_code", "reason", "class"});
// "headers", an array of {"name", "canonical", "offset", "value",
// "typed", "error"}, where "typed" is an object, or an array of objects
// for headers that hold a list (Via, Contact, Route, ...); "header_errors";
// and "body" ({"length", "content_type", "kind", and "media",
// "first_line" or "parts"}). A URI is {"text", "scheme", "user",
// "password", "host", "port", "params", "headers", "opaque"}, parameters
// are arrays of {"name", "value"}, token lists arrays of strings,
// auth-params an object of unquoted values, and members that would be
// empty are left out.
//
// Exit status: 0 when the message and all its typed headers parse, 1 when
// the message or a header is bad or the input cannot be read, 2 for a
// wrong command line.
package main
