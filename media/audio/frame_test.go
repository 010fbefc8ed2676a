package audio

import (
	"errors"
	"io"
	"slices"
	"testing"
)

// chunks is a Source that gives its chunks one per ReadPCM, then err.
type chunks struct {
	parts [][]int16
	err   error
}

func (c *chunks) ReadPCM(p []int16) (int, error) {
	if len(c.parts) == 0 {
		return 0, c.err
	}
	n := copy(p, c.parts[0])
	if n == len(c.parts[0]) {
		c.parts = c.parts[1:]
	} else {
		c.parts[0] = c.parts[0][n:]
	}
	return n, nil
}

func TestReadFrame(t *testing.T) {
	bad := errors.New("device gone")
	for _, c := range []struct {
		name  string
		src   *chunks
		want  []int16
		err   error
		after []int16 // what the next frame holds
	}{
		{"whole frame in pieces", &chunks{parts: [][]int16{{1, 2}, {3}, {4, 5, 6}}, err: io.EOF}, []int16{1, 2, 3, 4}, nil, []int16{5, 6, 0, 0}},
		{"ends inside the frame", &chunks{parts: [][]int16{{1, 2}}, err: io.EOF}, []int16{1, 2, 0, 0}, io.EOF, nil},
		{"live source with nothing yet", &chunks{parts: [][]int16{{7}, {}}, err: nil}, []int16{7, 0, 0, 0}, nil, nil},
		{"fails", &chunks{parts: [][]int16{{9}}, err: bad}, []int16{9, 0, 0, 0}, bad, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			frame := []int16{-1, -1, -1, -1} // stale samples must not survive
			err := ReadFrame(c.src, frame)
			if !slices.Equal(frame, c.want) || !errors.Is(err, c.err) {
				t.Errorf("ReadFrame: %v, %v; want %v, %v", frame, err, c.want, c.err)
			}
			if c.after != nil {
				ReadFrame(c.src, frame)
				if !slices.Equal(frame, c.after) {
					t.Errorf("next frame %v, want %v", frame, c.after)
				}
			}
		})
	}
}
