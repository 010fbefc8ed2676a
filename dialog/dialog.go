package dialog

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/ringo-sip/ringo/sip"
)

// ID identifies a dialog from one side: the Call-ID and the local and
// remote tags (RFC 3261 §12).
type ID struct {
	CallID    string
	LocalTag  string
	RemoteTag string
}

func (id ID) String() string {
	return id.CallID + ";local-tag=" + id.LocalTag + ";remote-tag=" + id.RemoteTag
}

// IncomingID returns the ID of the dialog an incoming request belongs to,
// seen from the receiver: the local tag is the To tag, the remote tag the
// From tag.
func IncomingID(req *sip.Request) (ID, error) {
	from, err := req.Header().From()
	if err != nil {
		return ID{}, err
	}
	to, err := req.Header().To()
	if err != nil {
		return ID{}, err
	}
	return ID{CallID: req.Header().CallID(), LocalTag: to.Tag(), RemoteTag: from.Tag()}, nil
}

// ResponseID returns the ID of the dialog a response to our request belongs
// to: the local tag is the From tag, the remote tag the To tag.
func ResponseID(resp *sip.Response) (ID, error) {
	from, err := resp.Header().From()
	if err != nil {
		return ID{}, err
	}
	to, err := resp.Header().To()
	if err != nil {
		return ID{}, err
	}
	return ID{CallID: resp.Header().CallID(), LocalTag: from.Tag(), RemoteTag: to.Tag()}, nil
}

// State is the state of a dialog.
type State int

// Dialog states.
const (
	Early State = iota + 1
	Confirmed
	Terminated
)

func (s State) String() string {
	switch s {
	case Early:
		return "early"
	case Confirmed:
		return "confirmed"
	case Terminated:
		return "terminated"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Errors from checking in-dialog requests.
var (
	// ErrCSeqOutOfOrder: an in-dialog request's CSeq is not above the
	// last one received. RFC 3261 §12.2.2 has it answered with 500.
	ErrCSeqOutOfOrder = errors.New("dialog: CSeq lower than or equal to the last received")
	// ErrNoTag: a message that must create a dialog lacks the tag that
	// identifies the peer.
	ErrNoTag = errors.New("dialog: no tag")
	// ErrNoContact: a message that must create a dialog lacks a usable
	// Contact.
	ErrNoContact = errors.New("dialog: no Contact")
)

// Dialog is the state of one dialog (RFC 3261 §12): its identifiers, the
// sequence numbers, the local and remote URIs, the remote target and the
// route set. It is not safe for concurrent use; the UA loop owns it.
type Dialog struct {
	ID    ID
	State State

	// LocalSeq is the CSeq number of the last request sent in the dialog.
	LocalSeq uint32
	// RemoteSeq is the CSeq number of the last request received; valid
	// when HasRemoteSeq is set.
	RemoteSeq    uint32
	HasRemoteSeq bool

	// Local is our address (From of our requests) without tag; Remote the
	// peer's (To of our requests) without tag.
	Local, Remote sip.Address
	// RemoteTarget is where requests in the dialog go: the peer's Contact.
	RemoteTarget sip.URI
	// RouteSet is the route set, in the order the Route header lists it.
	RouteSet []sip.Address
	// Secure is set when the dialog was created over sips.
	Secure bool
}

// NewUAC creates a dialog from the request we sent and a 101–299 response
// with a To tag, as RFC 3261 §12.1.2 says: the route set is the response's
// Record-Route in reverse order, the remote target its Contact. A
// provisional response gives an early dialog, a 2xx a confirmed one.
func NewUAC(req *sip.Request, resp *sip.Response) (*Dialog, error) {
	id, err := ResponseID(resp)
	if err != nil {
		return nil, err
	}
	if id.RemoteTag == "" {
		return nil, ErrNoTag
	}
	from, err := req.Header().From()
	if err != nil {
		return nil, err
	}
	to, err := resp.Header().To()
	if err != nil {
		return nil, err
	}
	cseq, err := req.Header().CSeq()
	if err != nil {
		return nil, err
	}
	d := &Dialog{
		ID:       id,
		State:    stateFor(resp.StatusCode),
		LocalSeq: cseq.Seq,
		Local:    withoutTag(from),
		Remote:   withoutTag(to),
		Secure:   req.URI.Scheme == "sips",
	}
	rr, err := resp.Header().RecordRoute()
	if err != nil {
		return nil, err
	}
	for i := len(rr) - 1; i >= 0; i-- {
		d.RouteSet = append(d.RouteSet, rr[i])
	}
	if err := d.setTarget(resp.Header()); err != nil {
		// RFC 3261 says a 2xx must carry a Contact; a provisional response
		// may not, and then the Request-URI is the best target there is.
		if resp.StatusCode >= 200 {
			return nil, err
		}
		d.RemoteTarget = req.URI.Clone()
	}
	return d, nil
}

// NewUAS creates a dialog from a request we received and the tag we put
// in the To of our response (RFC 3261 §12.1.1): the route set is the
// request's Record-Route in order, the remote target its Contact. The
// dialog starts early; Confirm it when a 2xx is sent.
func NewUAS(req *sip.Request, localTag string) (*Dialog, error) {
	id, err := IncomingID(req)
	if err != nil {
		return nil, err
	}
	id.LocalTag = localTag
	from, err := req.Header().From()
	if err != nil {
		return nil, err
	}
	to, err := req.Header().To()
	if err != nil {
		return nil, err
	}
	cseq, err := req.Header().CSeq()
	if err != nil {
		return nil, err
	}
	d := &Dialog{
		ID:           id,
		State:        Early,
		RemoteSeq:    cseq.Seq,
		HasRemoteSeq: true,
		Local:        withoutTag(to),
		Remote:       withoutTag(from),
		Secure:       req.URI.Scheme == "sips",
	}
	if d.RouteSet, err = req.Header().RecordRoute(); err != nil {
		return nil, err
	}
	if err := d.setTarget(req.Header()); err != nil {
		return nil, err
	}
	return d, nil
}

// Confirm moves an early dialog to confirmed.
func (d *Dialog) Confirm() {
	if d.State == Early {
		d.State = Confirmed
	}
}

// Terminate ends the dialog.
func (d *Dialog) Terminate() { d.State = Terminated }

func stateFor(code int) State {
	if code < 200 {
		return Early
	}
	return Confirmed
}

func withoutTag(a sip.Address) sip.Address {
	a = a.Clone()
	a.Params.Del("tag")
	return a
}

// setTarget takes the remote target from the first Contact.
func (d *Dialog) setTarget(h *sip.Header) error {
	cs, err := h.Contact()
	if err != nil {
		return err
	}
	if len(cs) == 0 || cs[0].Wildcard {
		return ErrNoContact
	}
	d.RemoteTarget = cs[0].URI.Clone()
	return nil
}

// NewRequest builds a request within the dialog (RFC 3261 §12.2.1.1):
// Request-URI and Route from the remote target and the route set (loose
// or strict routing), From and To with the tags, the Call-ID, the next
// local CSeq (not advanced for ACK and CANCEL, which reuse the INVITE's),
// and Max-Forwards 70. Via is the transaction layer's to add.
func (d *Dialog) NewRequest(method string) *sip.Request {
	seq := d.LocalSeq
	if method != "ACK" && method != "CANCEL" {
		d.LocalSeq++
		seq = d.LocalSeq
	}
	return d.newRequest(method, seq)
}

// NewAck builds the ACK for a 2xx to the INVITE whose CSeq number is
// inviteSeq (RFC 3261 §13.2.2.4).
func (d *Dialog) NewAck(inviteSeq uint32) *sip.Request {
	return d.newRequest("ACK", inviteSeq)
}

func (d *Dialog) newRequest(method string, seq uint32) *sip.Request {
	var ruri sip.URI
	var routes []sip.Address
	switch {
	case len(d.RouteSet) == 0:
		ruri = d.RemoteTarget.Clone()
	case d.RouteSet[0].URI.Params.Has("lr"):
		ruri = d.RemoteTarget.Clone()
		routes = d.RouteSet
	default:
		// Strict routing: the first route becomes the Request-URI (without
		// the parameters not allowed there), the remote target goes last.
		ruri = d.RouteSet[0].URI.Clone()
		ruri.Headers = nil
		routes = append(append([]sip.Address(nil), d.RouteSet[1:]...), sip.Address{URI: d.RemoteTarget})
	}
	req := sip.NewRequest(method, ruri)
	h := req.Header()
	for _, r := range routes {
		h.Add("Route", r.String())
	}
	local := d.Local.Clone()
	local.Params.Set("tag", d.ID.LocalTag)
	remote := d.Remote.Clone()
	if d.ID.RemoteTag != "" {
		remote.Params.Set("tag", d.ID.RemoteTag)
	}
	h.Add("From", local.String())
	h.Add("To", remote.String())
	h.Add("Call-ID", d.ID.CallID)
	h.Add("CSeq", sip.CSeq{Seq: seq, Method: method}.String())
	h.Add("Max-Forwards", "70")
	return req
}

// ReceiveRequest checks an in-dialog request and updates the dialog: the
// CSeq must rise (except for ACK and CANCEL, RFC 3261 §12.2.2), and a
// target refresh request (re-INVITE, UPDATE, SUBSCRIBE, NOTIFY) with a
// Contact replaces the remote target.
func (d *Dialog) ReceiveRequest(req *sip.Request) error {
	cseq, err := req.Header().CSeq()
	if err != nil {
		return err
	}
	if req.Method != "ACK" && req.Method != "CANCEL" {
		if d.HasRemoteSeq && cseq.Seq <= d.RemoteSeq {
			return fmt.Errorf("%w: %d after %d", ErrCSeqOutOfOrder, cseq.Seq, d.RemoteSeq)
		}
		d.RemoteSeq, d.HasRemoteSeq = cseq.Seq, true
	}
	if isTargetRefresh(req.Method) && req.Header().Has("Contact") {
		if err := d.setTarget(req.Header()); err != nil {
			return err
		}
	}
	return nil
}

// ReceiveResponse updates the dialog from a response to a request we sent
// in it: a 2xx confirms an early dialog, and a 2xx to a target refresh
// request with a Contact replaces the remote target.
func (d *Dialog) ReceiveResponse(resp *sip.Response) error {
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return nil
	}
	d.Confirm()
	cseq, err := resp.Header().CSeq()
	if err != nil {
		return err
	}
	if isTargetRefresh(cseq.Method) && resp.Header().Has("Contact") {
		return d.setTarget(resp.Header())
	}
	return nil
}

// isTargetRefresh reports whether a method refreshes the remote target
// (RFC 3261 §12.2, RFC 3311, RFC 6665 §4.1.2.3).
func isTargetRefresh(method string) bool {
	switch method {
	case "INVITE", "UPDATE", "SUBSCRIBE", "NOTIFY", "REFER":
		return true
	}
	return false
}
