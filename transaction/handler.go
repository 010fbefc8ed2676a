package transaction

import "github.com/ringo-sip/ringo/sip"

// Addr is where a message goes to or came from. The layer never looks
// inside it: it hands the address a request came from back to the Sender
// for the responses, and the destination given to [Layer.Request] to the
// Sender for the request, its retransmissions, its ACK and its CANCEL.
// A *net.UDPAddr or *net.TCPAddr satisfies it, and so can a transport's own
// connection handle.
type Addr interface {
	// Network names the transport, as net.Addr does: "udp", "tcp", "ws".
	Network() string
	// String returns the address in a form fit for logs.
	String() string
}

// Sender puts messages on the wire. The layer calls Send on the loop
// goroutine, so Send must not block for long; a transport that may block
// queues the message and returns. An error is a transport error in the
// sense of RFC 3261 §17.1.4 and §17.2.4 and fails the transaction.
//
// For a response, dest is the Addr that the request came from; the Sender
// may apply RFC 3261 §18.2.2 (received, rport, maddr) itself.
type Sender interface {
	Send(msg sip.Message, dest Addr) error
}

// SenderFunc adapts a function to the Sender interface.
type SenderFunc func(msg sip.Message, dest Addr) error

// Send calls f(msg, dest).
func (f SenderFunc) Send(msg sip.Message, dest Addr) error { return f(msg, dest) }

// Handler is the transaction user's entry point for what arrives without a
// transaction to deliver it to. Its methods run on the loop goroutine and
// must not block; they may call any method of the Layer and its
// transactions.
type Handler interface {
	// HandleRequest is called with every request that starts a new
	// server transaction, CANCEL included (use [Layer.MatchCancel] to
	// find the INVITE it cancels). The TU answers with s.Respond, and may
	// set s's handler with [Server.SetHandler] to hear of its ACK,
	// failure and end.
	HandleRequest(s *Server, req *sip.Request)
	// HandleStray is called with an ACK or a response that matches no
	// transaction: the ACK for a 2xx that arrived after its INVITE server
	// transaction ended, a 2xx retransmitted after the INVITE client
	// transaction ended (the TU must ACK it again, RFC 3261 §13.2.2.4),
	// or a response to nothing the layer sent.
	HandleStray(msg sip.Message, src Addr)
}

// ClientHandler receives the events of a client transaction, on the loop
// goroutine, in order. Its methods must not block; they may call any method
// of the Layer and its transactions.
type ClientHandler interface {
	// HandleResponse is called with each response the transaction passes
	// up: provisional responses, the final response, and in the Accepted
	// state of an INVITE each further 2xx (from other forks, or
	// retransmissions) unless [Client.SendACK] already acknowledged a 2xx
	// with the same To tag, in which case the layer sends that ACK again
	// and does not report the retransmission.
	HandleResponse(c *Client, resp *sip.Response)
	// HandleError is called when the transaction fails without a final
	// response: with an *Error for a timeout (Timer B or F, StatusCode
	// 408) or a transport error (StatusCode 503). HandleTerminated
	// follows.
	HandleError(c *Client, err error)
	// HandleTerminated is called once when the transaction ends, for
	// whatever reason except Layer.Close.
	HandleTerminated(c *Client)
}

// ServerHandler receives the events of a server transaction, on the loop
// goroutine, in order. Its methods must not block; they may call any method
// of the Layer and its transactions.
type ServerHandler interface {
	// HandleACK is called with each ACK for a 2xx that the INVITE server
	// transaction sent while it is in the Accepted state. The first one
	// stops the 2xx retransmissions. ACKs for non-2xx responses are
	// absorbed by the transaction, as RFC 3261 §17.2.1 says.
	HandleACK(s *Server, ack *sip.Request)
	// HandleError is called with an *Error when the transaction fails: a
	// transport error while sending a response, or no ACK for the final
	// response of an INVITE (Timer H for a non-2xx, Timer L for a 2xx;
	// errors.Is(err, ErrNoACK)). HandleTerminated follows.
	HandleError(s *Server, err error)
	// HandleTerminated is called once when the transaction ends, for
	// whatever reason except Layer.Close.
	HandleTerminated(s *Server)
}

// HandlerFuncs is a Handler made of functions; a nil field ignores its
// event.
type HandlerFuncs struct {
	Request func(s *Server, req *sip.Request)
	Stray   func(msg sip.Message, src Addr)
}

// HandleRequest calls f.Request if it is set.
func (f HandlerFuncs) HandleRequest(s *Server, req *sip.Request) {
	if f.Request != nil {
		f.Request(s, req)
	}
}

// HandleStray calls f.Stray if it is set.
func (f HandlerFuncs) HandleStray(msg sip.Message, src Addr) {
	if f.Stray != nil {
		f.Stray(msg, src)
	}
}

// ClientFuncs is a ClientHandler made of functions; a nil field ignores its
// event.
type ClientFuncs struct {
	Response   func(c *Client, resp *sip.Response)
	Error      func(c *Client, err error)
	Terminated func(c *Client)
}

// HandleResponse calls f.Response if it is set.
func (f ClientFuncs) HandleResponse(c *Client, resp *sip.Response) {
	if f.Response != nil {
		f.Response(c, resp)
	}
}

// HandleError calls f.Error if it is set.
func (f ClientFuncs) HandleError(c *Client, err error) {
	if f.Error != nil {
		f.Error(c, err)
	}
}

// HandleTerminated calls f.Terminated if it is set.
func (f ClientFuncs) HandleTerminated(c *Client) {
	if f.Terminated != nil {
		f.Terminated(c)
	}
}

// ServerFuncs is a ServerHandler made of functions; a nil field ignores its
// event.
type ServerFuncs struct {
	ACK        func(s *Server, ack *sip.Request)
	Error      func(s *Server, err error)
	Terminated func(s *Server)
}

// HandleACK calls f.ACK if it is set.
func (f ServerFuncs) HandleACK(s *Server, ack *sip.Request) {
	if f.ACK != nil {
		f.ACK(s, ack)
	}
}

// HandleError calls f.Error if it is set.
func (f ServerFuncs) HandleError(s *Server, err error) {
	if f.Error != nil {
		f.Error(s, err)
	}
}

// HandleTerminated calls f.Terminated if it is set.
func (f ServerFuncs) HandleTerminated(s *Server) {
	if f.Terminated != nil {
		f.Terminated(s)
	}
}

// nopServerHandler is the handler of a server transaction whose TU set
// none.
type nopServerHandler struct{}

func (nopServerHandler) HandleACK(*Server, *sip.Request) {}
func (nopServerHandler) HandleError(*Server, error)      {}
func (nopServerHandler) HandleTerminated(*Server)        {}

// nopClientHandler is the handler of a client transaction started with a
// nil handler.
type nopClientHandler struct{}

func (nopClientHandler) HandleResponse(*Client, *sip.Response) {}
func (nopClientHandler) HandleError(*Client, error)            {}
func (nopClientHandler) HandleTerminated(*Client)              {}
