#!/usr/bin/env bash
# compare.sh FILE: puts the Ringo and sipgo results of one `go test -bench`
# run side by side with benchstat, sipgo as the base, so each row shows
# Ringo's change against sipgo on the same message.
set -euo pipefail
in="${1:?usage: compare.sh BENCH_OUTPUT}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
for stack in sipgo ringo; do
  # Keep the header lines and this stack's results, and drop the stack from
  # the benchmark names so that benchstat pairs the rows.
  grep -v -E "^Benchmark[^ ]*/(sipgo|ringo)/" "$in" | grep -v '^Benchmark' >"$dir/$stack" || true
  grep -E "^Benchmark[^ ]*/$stack/" "$in" | sed -E "s#^(Benchmark[^ /]*)/$stack/#\\1/#" >>"$dir/$stack"
done
go run golang.org/x/perf/cmd/benchstat@latest sipgo="$dir/sipgo" ringo="$dir/ringo"
