//go:build !js

package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/netip"
	"strings"
)

// tokens makes and checks flow tokens (RFC 5626 §5.3): the user part of
// the Record-Route URIs the server writes, naming the flow that requests
// sent to that URI go to. A token is base64url(kind || data || mac), the
// mac being the first 8 bytes of HMAC-SHA256 over kind || data with a key
// drawn at random when the server is made, so that peers cannot forge
// tokens for other flows.
type tokens struct {
	key []byte
}

const (
	tokenConn = 'c' // data: the connection id, 8 bytes big endian
	tokenUDP  = 'u' // data: the listener index, 1 byte, then the peer's AddrPort
	macLen    = 8
)

// conn returns the token of the connection with the given id.
func (t tokens) conn(id uint64) string {
	b := make([]byte, 1, 1+8+macLen)
	b[0] = tokenConn
	b = binary.BigEndian.AppendUint64(b, id)
	return t.seal(b)
}

// udp returns the token of a UDP peer reached through listener idx.
func (t tokens) udp(idx int, peer netip.AddrPort) string {
	b := make([]byte, 2, 2+18+macLen)
	b[0], b[1] = tokenUDP, byte(idx)
	b, _ = peer.AppendBinary(b)
	return t.seal(b)
}

func (t tokens) seal(b []byte) string {
	m := hmac.New(sha256.New, t.key)
	m.Write(b)
	b = m.Sum(b)[:len(b)+macLen]
	return base64.RawURLEncoding.EncodeToString(b)
}

// flowRef is what a token names.
type flowRef struct {
	conn uint64 // when isConn
	udp  int    // the listener index otherwise
	peer netip.AddrPort
	// isConn tells a connection from a UDP peer.
	isConn bool
}

// parse checks a token and returns what it names.
func (t tokens) parse(s string) (flowRef, bool) {
	if len(s) < 16 || len(s) > 64 {
		return flowRef{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 1+macLen {
		return flowRef{}, false
	}
	data, mac := b[:len(b)-macLen], b[len(b)-macLen:]
	m := hmac.New(sha256.New, t.key)
	m.Write(data)
	if !hmac.Equal(m.Sum(nil)[:macLen], mac) {
		return flowRef{}, false
	}
	switch data[0] {
	case tokenConn:
		if len(data) != 9 {
			return flowRef{}, false
		}
		return flowRef{conn: binary.BigEndian.Uint64(data[1:]), isConn: true}, true
	case tokenUDP:
		if len(data) < 2 {
			return flowRef{}, false
		}
		var ap netip.AddrPort
		if ap.UnmarshalBinary(data[2:]) != nil {
			return flowRef{}, false
		}
		return flowRef{udp: int(data[1]), peer: ap}, true
	}
	return flowRef{}, false
}

// parseList parses the user part of one of our Record-Route URIs: one
// token, or two separated by "." (a single Record-Route naming both sides).
func (t tokens) parseList(user string) ([]flowRef, bool) {
	first, second, two := strings.Cut(user, ".")
	a, ok := t.parse(first)
	if !ok {
		return nil, false
	}
	if !two {
		return []flowRef{a}, true
	}
	b, ok := t.parse(second)
	if !ok {
		return nil, false
	}
	return []flowRef{a, b}, true
}

// token returns the token of flow f.
func (s *Server) token(f flow) string {
	if f.c != nil {
		return f.c.token
	}
	return s.tokens.udp(f.u.idx, f.addr)
}

// resolveRef returns the flow a token names, if it is still usable.
func (s *Server) resolveRef(r flowRef) (flow, bool) {
	if r.isConn {
		c := s.connByID(r.conn)
		if c == nil {
			return flow{}, false
		}
		return flow{c: c}, true
	}
	if r.udp < 0 || r.udp >= len(s.udps) {
		return flow{}, false
	}
	return flow{u: s.udps[r.udp], addr: r.peer}, true
}
