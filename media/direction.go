package media

// Direction is an SDP media direction attribute (RFC 3264 §5.1), said from
// the point of view of the side whose description carries it.
type Direction string

// Directions.
const (
	DirectionSendRecv Direction = "sendrecv"
	DirectionSendOnly Direction = "sendonly"
	DirectionRecvOnly Direction = "recvonly"
	DirectionInactive Direction = "inactive"
)

// DirectionOf returns the direction that sends and receives as told.
func DirectionOf(sends, receives bool) Direction {
	switch {
	case sends && receives:
		return DirectionSendRecv
	case sends:
		return DirectionSendOnly
	case receives:
		return DirectionRecvOnly
	default:
		return DirectionInactive
	}
}

// Valid reports whether d is one of the four directions.
func (d Direction) Valid() bool {
	switch d {
	case DirectionSendRecv, DirectionSendOnly, DirectionRecvOnly, DirectionInactive:
		return true
	}
	return false
}

// Sends reports whether a side with direction d sends media. The empty
// Direction is taken as sendrecv, the SDP default.
func (d Direction) Sends() bool {
	return d == DirectionSendRecv || d == DirectionSendOnly || d == ""
}

// Receives reports whether a side with direction d receives media. The
// empty Direction is taken as sendrecv.
func (d Direction) Receives() bool {
	return d == DirectionSendRecv || d == DirectionRecvOnly || d == ""
}

// Reverse returns the direction seen from the other side: sendonly becomes
// recvonly and the other way round.
func (d Direction) Reverse() Direction {
	return DirectionOf(d.Receives(), d.Sends())
}

// Intersect returns the direction that sends only if both d and o send and
// receives only if both receive. An answerer's direction is its wish
// intersected with the reverse of the offer's (RFC 3264 §6.1).
func (d Direction) Intersect(o Direction) Direction {
	return DirectionOf(d.Sends() && o.Sends(), d.Receives() && o.Receives())
}

// Answer returns the direction an answer takes when this side wishes d and
// the offer asks for offered.
func (d Direction) Answer(offered Direction) Direction {
	return d.Intersect(offered.Reverse())
}
