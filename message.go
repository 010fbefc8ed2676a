package ringo

import (
	"context"
	"fmt"

	"github.com/ringo-sip/ringo/sip"
)

// MessageOptions are the options of SendMessage and SendOptions.
type MessageOptions struct {
	// ContentType of the body; empty means "text/plain" for MESSAGE.
	ContentType string
	// ExtraHeaders are added to the request, as "Name: value" lines.
	ExtraHeaders []string
	// FromDisplayName and FromUser override the display name and the user
	// part of From for this request.
	FromDisplayName string
	FromUser        string
}

// SendMessage sends a MESSAGE (RFC 3428) to target and waits for its final
// response. target may be a SIP URI or a user name, completed with the
// UA's domain (JsSIP's normalizeTarget). The result is the 2xx response,
// or an *Error with the cause and the failure response, if any.
func (ua *UA) SendMessage(ctx context.Context, target, body string, opts *MessageOptions) (*sip.Response, error) {
	if opts == nil {
		opts = &MessageOptions{}
	}
	ct := opts.ContentType
	if ct == "" {
		ct = "text/plain"
	}
	return ua.request(ctx, "MESSAGE", target, ct, []byte(body), opts)
}

// SendOptions sends an OPTIONS request to target and waits for its final
// response, as SendMessage does.
func (ua *UA) SendOptions(ctx context.Context, target string, opts *MessageOptions) (*sip.Response, error) {
	if opts == nil {
		opts = &MessageOptions{}
	}
	return ua.request(ctx, "OPTIONS", target, opts.ContentType, nil, opts)
}

// NormalizeTarget turns a target as a user types it into a SIP URI, with
// the UA's domain for a bare user name (JsSIP's UA.normalizeTarget).
func (ua *UA) NormalizeTarget(target string) (sip.URI, error) {
	return sip.NormalizeTarget(target, ua.s.uri.HostPort())
}

// targetURI reads a target: a complete sip or sips URI is taken as it is
// (so "sip:proxy.example.com" reaches a server with no user part), and
// anything else is normalised as JsSIP does.
func (ua *UA) targetURI(target string) (sip.URI, error) {
	if u, err := sip.ParseURI(target); err == nil && u.IsSIP() && u.Host != "" {
		return u, nil
	}
	u, err := ua.NormalizeTarget(target)
	if err != nil {
		return u, fmt.Errorf("ringo: bad target %q: %w", target, err)
	}
	return u, nil
}

// request sends an out-of-dialog request and waits for its result.
func (ua *UA) request(ctx context.Context, method, target, contentType string, body []byte, opts *MessageOptions) (*sip.Response, error) {
	uri, err := ua.targetURI(target)
	if err != nil {
		return nil, err
	}
	extra, err := parseHeaderLines(opts.ExtraHeaders)
	if err != nil {
		return nil, fmt.Errorf("ringo: bad ExtraHeaders: %w", err)
	}
	type result struct {
		resp *sip.Response
		err  *Error
	}
	done := make(chan result, 1)
	err = ua.do(ctx, func() {
		req := ua.newRequest(method, uri, "", 1)
		if opts.FromDisplayName != "" || opts.FromUser != "" {
			from, _ := req.Header().From()
			if opts.FromDisplayName != "" {
				from.DisplayName = opts.FromDisplayName
			}
			if opts.FromUser != "" {
				from.URI.User = opts.FromUser
			}
			req.Header().Set("From", from.String())
		}
		addHeaders(req.Header(), extra)
		if len(body) > 0 || contentType != "" {
			req.SetBody(contentType, body)
		}
		ua.send(req, nil, func(_ *sip.Request, resp *sip.Response, err *Error) {
			done <- result{resp, err}
		})
	})
	if err != nil {
		return nil, err
	}
	select {
	case r := <-done:
		if r.err != nil {
			return r.resp, r.err
		}
		return r.resp, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-ua.loopDone:
		return nil, ErrStopped
	}
}
