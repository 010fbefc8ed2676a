package digest

import "errors"

// Errors returned by the parsers and by the client.
var (
	// ErrSyntax is wrapped by every error that ParseChallenge and
	// ParseCredentials return for malformed input.
	ErrSyntax = errors.New("digest: malformed header value")

	// ErrScheme is wrapped when a header value uses a scheme other than
	// Digest (for example Basic or Bearer).
	ErrScheme = errors.New("digest: not a Digest header value")

	// ErrUnsupported is wrapped when no challenge can be answered: an unknown
	// algorithm or qop, or a precomputed HA1 that does not fit the challenge.
	// The error text says why for each challenge.
	ErrUnsupported = errors.New("digest: no supported challenge")

	// ErrNoCredentials is wrapped when a Client has no username, or only an
	// HA1 for another realm.
	ErrNoCredentials = errors.New("digest: no credentials")

	// ErrRejected is wrapped by Exchange.Challenged when the server challenges
	// again a realm whose challenge this exchange already answered, without
	// stale=true (or with stale=true a second time): the username or password
	// is wrong, and retrying with the same credentials would loop.
	ErrRejected = errors.New("digest: credentials rejected")
)

// Errors returned by Server.Verify. Answer ErrStaleNonce with a new challenge
// carrying stale=true, and every other error with a new challenge without it
// (or 403 Forbidden for ErrRealmMismatch, as the server prefers).
var (
	// ErrStaleNonce means that the credentials are right but the nonce is
	// older than the Server's NonceLifetime.
	ErrStaleNonce = errors.New("digest: stale nonce")

	// ErrBadNonce means that the nonce was not issued by this Server (its
	// HMAC does not match, or it cannot be decoded).
	ErrBadNonce = errors.New("digest: bad nonce")

	// ErrUnknownUser means that the lookup function does not know the user.
	ErrUnknownUser = errors.New("digest: unknown user")

	// ErrWrongResponse means that the response digest does not match: the
	// password is wrong or the request was altered.
	ErrWrongResponse = errors.New("digest: wrong response")

	// ErrRealmMismatch means that the credentials are for another realm.
	ErrRealmMismatch = errors.New("digest: realm mismatch")

	// ErrBadCredentials means that the credentials use an algorithm or qop
	// the Server did not offer, lack a parameter that their qop needs, or
	// ask for userhash, which the Server does not offer.
	ErrBadCredentials = errors.New("digest: unacceptable credentials")
)
