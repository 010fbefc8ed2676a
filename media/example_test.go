package media_test

import (
	"fmt"

	"github.com/ringo-sip/ringo/media"
)

// The signalling layer reads a re-INVITE's SDP to tell a remote hold, and
// answers a held stream with the matching direction.
func ExampleRemoteDirection() {
	reinvite := "v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n" +
		"m=audio 49170 UDP/TLS/RTP/SAVPF 0\r\na=sendonly\r\n"
	d := media.RemoteDirection(reinvite)
	held := d == media.DirectionSendOnly || d == media.DirectionInactive
	fmt.Println(d, "held:", held, "answer:", media.DirectionSendRecv.Answer(d))
	// Output: sendonly held: true answer: recvonly
}
