//go:build !js

package wasm_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// gzipBudget is the target for the download size of ringo.wasm,
// gzip -9: 1.5 MB. The build is just under it (see build.sh and
// wasm/README.md for what was cut); code added to the wasm build must pay
// for itself.
const gzipBudget = 1_500_000

// TestWasmSize logs the size of dist/ringo.wasm raw, gzip -9 and brotli
// (when the brotli command is installed) and, with -v, which packages
// take the code, from the function names of an unstripped build.
func TestWasmSize(t *testing.T) {
	wasm := filepath.Join(buildWasm(t), "ringo.wasm")
	raw, err := os.ReadFile(wasm)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzipSize(wasm, raw)
	line := fmt.Sprintf("ringo.wasm: %d bytes raw, %d gzip -9", len(raw), gz)
	if br, err := exec.Command("brotli", "-c", "-q", "11", wasm).Output(); err == nil {
		line += fmt.Sprintf(", %d brotli -q 11", len(br))
	}
	t.Log(line)
	if gz > gzipBudget {
		t.Errorf("ringo.wasm is %d bytes gzipped, over the budget of %d", gz, gzipBudget)
	}
	if !testing.Verbose() {
		return
	}
	// The same build with its name section, for the breakdown.
	named := filepath.Join(t.TempDir(), "named.wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-gcflags=all=-l", "-gcflags=sync/atomic=", "-o", named, "./cmd/ringo-wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, err := os.ReadFile(named)
	if err != nil {
		t.Fatal(err)
	}
	sizes, sections, err := codeByPackage(b)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sections: code %d, data %d, names %d", sections[10], sections[11], sections[0])
	type kv struct {
		pkg  string
		size int
	}
	var list []kv
	groups := map[string]int{}
	for p, n := range sizes {
		list = append(list, kv{p, n})
		groups[group(p)] += n
	}
	sort.Slice(list, func(i, j int) bool { return list[i].size > list[j].size })
	var lines []string
	for _, x := range list[:min(25, len(list))] {
		lines = append(lines, fmt.Sprintf("%8d %s", x.size, x.pkg))
	}
	t.Logf("code by package (bytes):\n%s", strings.Join(lines, "\n"))
	lines = lines[:0]
	for g, n := range groups {
		lines = append(lines, fmt.Sprintf("%8d %s", n, g))
	}
	sort.Sort(sort.Reverse(sort.StringSlice(lines)))
	t.Logf("code by group (bytes):\n%s", strings.Join(lines, "\n"))
}

// gzipSize is the size of file compressed by the gzip command at -9, the
// figure a web server's precompressed file has; compress/gzip, a little
// larger, stands in where the command is missing.
func gzipSize(file string, raw []byte) int {
	if out, err := exec.Command("gzip", "-9", "-c", file).Output(); err == nil {
		return len(out)
	}
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	w.Write(raw)
	w.Close()
	return gz.Len()
}

// group puts a package in one of the groups the size note talks about.
func group(p string) string {
	switch {
	case strings.HasPrefix(p, "github.com/ringo-sip/ringo"):
		return "ringo"
	case p == "main":
		return "the JavaScript API (cmd/ringo-wasm)"
	case p == "fmt" || p == "reflect" || p == "encoding/json" || p == "log/slog" || p == "log" ||
		strings.HasPrefix(p, "internal/fmtsort") || p == "slices":
		return "fmt, reflect, log/slog and the encoding/json it links"
	case strings.HasPrefix(p, "crypto/"):
		return "crypto (digest hashes, crypto/rand)"
	case p == "runtime" || strings.HasPrefix(p, "runtime/") || strings.HasPrefix(p, "internal/"):
		return "runtime"
	}
	return "other standard library"
}

// codeByPackage reads a wasm file's code section and name section and adds
// up the function bodies by package; it also returns each section's size.
func codeByPackage(b []byte) (map[string]int, map[byte]int, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, nil, errors.New("not a wasm file")
	}
	uleb := func(p []byte, i int) (int, int) {
		v, n := binary.Uvarint(p[i:])
		return int(v), i + n
	}
	var bodies []int
	names := map[int]string{}
	imports := 0
	sections := map[byte]int{}
	for i := 8; i < len(b); {
		id := b[i]
		n, j := uleb(b, i+1)
		sec := b[j : j+n]
		sections[id] += n
		switch id {
		case 2: // imports: only functions in Go's
			cnt, k := uleb(sec, 0)
			for range cnt {
				l, k2 := uleb(sec, k)
				l2, k3 := uleb(sec, k2+l)
				k = k3 + l2
				if sec[k] != 0 {
					return nil, nil, errors.New("import of a kind other than function")
				}
				_, k = uleb(sec, k+1)
				imports++
			}
		case 10:
			cnt, k := uleb(sec, 0)
			for range cnt {
				l, k2 := uleb(sec, k)
				bodies = append(bodies, l+k2-k)
				k = k2 + l
			}
		case 0:
			l, k := uleb(sec, 0)
			if string(sec[k:k+l]) != "name" {
				break
			}
			for k += l; k < len(sec); {
				sub := sec[k]
				sl, k2 := uleb(sec, k+1)
				if sub == 1 {
					cnt, q := uleb(sec, k2)
					for range cnt {
						idx, q2 := uleb(sec, q)
						nl, q3 := uleb(sec, q2)
						names[idx] = string(sec[q3 : q3+nl])
						q = q3 + nl
					}
				}
				k = k2 + sl
			}
		}
		i = j + n
	}
	out := map[string]int{}
	for i, n := range bodies {
		out[pkgOf(names[i+imports])] += n
	}
	return out, sections, nil
}

// pkgOf returns the package of a function name in Go's wasm name section,
// where "/" in the path is written "_" except in the domain part:
// "github.com_ringo_sip_ringo_sip.Parse", "crypto_internal_fips140_aes.x".
func pkgOf(name string) string {
	name = strings.TrimPrefix(name, "type:")
	dot := strings.Index(name, ".")
	if strings.HasPrefix(name, "github.com_") {
		rest := name[len("github.com_"):]
		dot = strings.Index(rest, ".")
		if dot < 0 {
			return name
		}
		return "github.com/" + known(rest[:dot])
	}
	if dot < 0 {
		return name
	}
	return known(name[:dot])
}

// known turns "ringo_sip_ringo_sip" back into "ringo-sip/ringo/sip" for
// the paths this module and its dependencies use, and other "_" into "/".
func known(p string) string {
	for _, r := range [][2]string{{"ringo_sip_ringo", "ringo-sip/ringo"}, {"coder_websocket", "coder/websocket"}} {
		if strings.HasPrefix(p, r[0]) {
			return r[1] + strings.ReplaceAll(p[len(r[0]):], "_", "/")
		}
	}
	return strings.ReplaceAll(p, "_", "/")
}
