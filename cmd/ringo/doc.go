// Ringo is the command-line tool of the Ringo SIP library: today it
// inspects SIP messages; later commands serve, register, send messages,
// call, and load a server with many user agents.
//
// Usage:
//
//	ringo <command> [arguments]
//	ringo help [command]
//
// The commands are:
//
//	inspect    parse a SIP message and print it as a tree
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
