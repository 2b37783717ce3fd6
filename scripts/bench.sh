#!/usr/bin/env bash
# npm run bench — every benchmark, one after another. Not tests: they print figures and never fail CI.
#   core      the nodes in n8n-core against the simulator: B1-B4 (scripts/bench.mts; --quick shortens B1's baseline)
#   batch     1,000 generate-and-wait items in real n8n, regular and queue mode, with the simulator's timeline
#             (scripts/bench-n8n-batch.mts; BENCH_N, BENCH_MODES)
#   callback  10 items of 3 s tasks: the in-node wait against "Until Toapis Calls Back", on n8n 2.41 (as installed and
#             with its legacy expression engine) and 1.123 (scripts/bench-n8n-callback.mts; about 6 minutes)
#   download  1 and 4 GiB downloads in real n8n, side by side with n8n's own OpenAI video node
#             (scripts/bench-n8n-download.mts; about 12 minutes and 5 GB of temporary disk)
# BENCH_ONLY=core,batch runs some of them; extra arguments go to the core part.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ONLY=${BENCH_ONLY:-core,batch,callback,download}
part() { [[ ",$ONLY," == *",$1,"* ]]; }
rc=0
part core && { echo "=== bench: core (n8n-core engine)"; npx tsx --expose-gc scripts/bench.mts "$@" || rc=1; }
part batch && { echo "=== bench: batch (real n8n)"; npx tsx scripts/bench-n8n-batch.mts || rc=1; }
part callback && { echo "=== bench: callback wait (real n8n)"; npx tsx scripts/bench-n8n-callback.mts || rc=1; }
part download && { echo "=== bench: download (real n8n, with n8n's OpenAI node)"; npx tsx scripts/bench-n8n-download.mts || rc=1; }
exit $rc
