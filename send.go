package ringo

import (
	"errors"
	"strings"

	"github.com/ringo-sip/ringo/digest"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transaction"
	"github.com/ringo-sip/ringo/transport"
)

// newRequest builds an out-of-dialog request from the user to target: a
// new Call-ID and From tag unless given, Max-Forwards 70, User-Agent, and
// the preloaded Route if configured. Via is added when it is sent.
func (ua *UA) newRequest(method string, target sip.URI, callID string, seq uint32) *sip.Request {
	req := sip.NewRequest(method, target)
	h := req.Header()
	to := sip.Address{URI: target.Clone()}
	to.URI.Params, to.URI.Headers = nil, nil
	if method == "REGISTER" {
		to.URI = ua.s.uri.Clone()
	}
	from := sip.Address{DisplayName: ua.s.DisplayName, URI: ua.s.uri.Clone()}
	from.Params.Set("tag", sip.NewTag())
	if callID == "" {
		callID = sip.NewCallID()
	}
	h.Add("Max-Forwards", "70")
	h.Add("To", to.String())
	h.Add("From", from.String())
	h.Add("Call-ID", callID)
	h.Add("CSeq", sip.CSeq{Seq: seq, Method: method}.String())
	if ua.s.UsePreloadedRoute && ua.sock != nil {
		route := ua.sock.URI()
		route.Params.Set("lr", "")
		h.Add("Route", sip.Address{URI: route}.String())
	}
	h.Add("User-Agent", ua.s.UserAgent)
	return req
}

// contactURI returns the URI of our Contact on the current socket.
func (ua *UA) contactURI() sip.URI {
	if ua.s.contactURI != nil {
		return ua.s.contactURI.Clone()
	}
	u := sip.URI{Scheme: "sip", User: ua.s.contactUser}
	if ua.sock != nil {
		u.Host, u.Port = ua.sock.SentBy()
		u.Params.Set("transport", strings.ToLower(ua.sock.ViaTransport()))
	}
	if ua.s.ViaHost != "" {
		u.Host = ua.s.ViaHost
	}
	return u
}

// setVia replaces the request's Via with ours on the current socket, with
// a new branch.
func (ua *UA) setVia(req *sip.Request) {
	host, port := ua.sock.SentBy()
	if ua.s.ViaHost != "" {
		host = ua.s.ViaHost
	}
	v := sip.Via{Transport: ua.sock.ViaTransport(), Host: host, Port: port}
	v.Params.Set("branch", sip.NewBranch())
	switch v.Transport {
	case transport.ViaUDP, transport.ViaTCP, transport.ViaTLS:
		v.Params.Set("rport", "")
	}
	h := req.Header()
	h.Del("Via")
	h.Prepend("Via", v.String())
}

// outgoing is one out-of-dialog request followed through its
// authentication challenges to a final result, on the loop.
type outgoing struct {
	ua         *UA
	req        *sip.Request
	www, proxy *digest.Exchange
	client     *transaction.Client
	// provisional, if set, gets 1xx responses.
	provisional func(*sip.Response)
	// final gets the final response (nil after a timeout or transport
	// error), the request as last sent (its CSeq may have risen), and nil
	// for a 2xx or an *Error.
	final func(req *sip.Request, resp *sip.Response, err *Error)
	// settled is set once the request is no longer counted in flight.
	settled bool
}

// send starts an out-of-dialog request; the callbacks run on the loop.
func (ua *UA) send(req *sip.Request, provisional func(*sip.Response), final func(*sip.Request, *sip.Response, *Error)) *outgoing {
	uri := req.URI.String()
	o := &outgoing{
		ua:          ua,
		req:         req,
		www:         ua.www.NewExchange(req.Method, uri, req.Body()),
		proxy:       ua.proxy.NewExchange(req.Method, uri, req.Body()),
		provisional: provisional,
		final:       final,
	}
	setCredentials(req, "Authorization", o.www.Authorize())
	setCredentials(req, "Proxy-Authorization", o.proxy.Authorize())
	// Count the request until its final result, so that Stop can wait
	// for what is in flight.
	ua.inflight++
	o.final = func(req *sip.Request, resp *sip.Response, err *Error) {
		if !o.settled {
			o.settled = true
			ua.inflight--
		}
		final(req, resp, err)
	}
	o.start()
	return o
}

func setCredentials(req *sip.Request, header string, creds []digest.Credentials) {
	h := req.Header()
	h.Del(header)
	for _, c := range creds {
		h.Add(header, c.String())
	}
}

func (o *outgoing) start() {
	ua := o.ua
	if ua.sock == nil {
		o.final(o.req, nil, &Error{Cause: CauseConnectionError, Err: transport.ErrNotConnected})
		return
	}
	ua.setVia(o.req)
	c, err := ua.layer.Request(o.req, sockAddr{ua.sock}, ua.sock.Reliable(), transaction.ClientFuncs{
		Response: o.response,
		Error:    o.error,
	})
	if err != nil {
		o.final(o.req, nil, &Error{Cause: CauseConnectionError, Err: err})
		return
	}
	o.client = c
}

func (o *outgoing) response(_ *transaction.Client, resp *sip.Response) {
	switch code := resp.StatusCode; {
	case code < 200:
		if o.provisional != nil {
			o.provisional(resp)
		}
	case code < 300:
		o.final(o.req, resp, nil)
	case code == 401 || code == 407:
		if err := o.answerChallenge(resp); err != nil {
			e := responseError(resp)
			e.Err = err
			o.final(o.req, resp, e)
		}
	default:
		o.final(o.req, resp, responseError(resp))
	}
}

// answerChallenge resends the request with credentials for the 401 or 407
// challenge, with the CSeq one higher (RFC 3261 §22.2).
func (o *outgoing) answerChallenge(resp *sip.Response) error {
	exch, header, values := o.www, "Authorization", resp.Header().Values("WWW-Authenticate")
	if resp.StatusCode == 407 {
		exch, header, values = o.proxy, "Proxy-Authorization", resp.Header().Values("Proxy-Authenticate")
	}
	var chs []digest.Challenge
	var parseErrs []error
	for _, v := range values {
		ch, err := digest.ParseChallenge(v)
		if err != nil {
			parseErrs = append(parseErrs, err)
			continue
		}
		chs = append(chs, ch)
	}
	if len(chs) == 0 {
		return errors.Join(append([]error{errors.New("no challenge Ringo can answer")}, parseErrs...)...)
	}
	if o.ua.s.Password == "" && o.ua.s.HA1 == "" {
		return errors.New("challenged, but no password is configured")
	}
	creds, err := exch.Challenged(chs)
	if err != nil {
		return err
	}
	req := o.req.Clone()
	cseq, err := req.Header().CSeq()
	if err != nil {
		return err
	}
	cseq.Seq++
	req.Header().Set("CSeq", cseq.String())
	setCredentials(req, header, creds)
	o.req = req
	o.start()
	return nil
}

func (o *outgoing) error(_ *transaction.Client, err error) {
	cause := CauseConnectionError
	var te *transaction.Error
	if errors.As(err, &te) && te.StatusCode == 408 {
		cause = CauseRequestTimeout
	}
	o.final(o.req, nil, &Error{Cause: cause, Err: err})
}
