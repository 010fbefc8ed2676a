package transaction

import "strconv"

// State is the state of a client or server transaction, as named in the
// state machines of RFC 3261 §17 and RFC 6026.
type State int

// The states of the four machines. A transaction uses the ones its machine
// has:
//
//   - INVITE client: Calling, Proceeding, Completed, Accepted, Terminated.
//   - Non-INVITE client: Trying, Proceeding, Completed, Terminated.
//   - INVITE server: Proceeding, Completed, Confirmed, Accepted, Terminated.
//   - Non-INVITE server: Trying, Proceeding, Completed, Terminated.
const (
	// Calling: an INVITE client transaction has sent its request and
	// has had no response yet.
	Calling State = iota
	// Trying: a non-INVITE client transaction has sent its request and
	// has had no response yet; or a non-INVITE server transaction has
	// received its request and sent no response yet.
	Trying
	// Proceeding: a provisional response was received (client) or sent
	// (server); an INVITE server transaction starts here.
	Proceeding
	// Completed: a final response was received (client) or sent
	// (server); for INVITE, a non-2xx one. Retransmissions are absorbed
	// or answered here.
	Completed
	// Confirmed: an INVITE server transaction received the ACK for its
	// non-2xx final response.
	Confirmed
	// Accepted: an INVITE transaction received (client) or sent (server)
	// a 2xx, RFC 6026 §7.
	Accepted
	// Terminated: the transaction is over and forgotten by its Layer.
	Terminated
)

var stateNames = [...]string{
	Calling:    "Calling",
	Trying:     "Trying",
	Proceeding: "Proceeding",
	Completed:  "Completed",
	Confirmed:  "Confirmed",
	Accepted:   "Accepted",
	Terminated: "Terminated",
}

// String returns the state's name as RFC 3261 writes it: "Calling",
// "Proceeding", ...
func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}
