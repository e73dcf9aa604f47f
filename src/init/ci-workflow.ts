/**
 * `perfcell init`'s CI workflow for the service's own repository (perfcell installed there as a dev
 * dependency): on each pull request, the base branch's build and the pull request's build of the service
 * started side by side, a smoke run, then perfcell's gate in interleaved mode (docs/gate.md), the verdict
 * as the job's exit code. Pure: answers in, the GitHub Actions YAML out (ci/github-actions/perf-gate.yml is
 * perfcell's own, for its reference target).
 */

export interface CiAnswers {
  service: string;
  /** Project-relative path of the load model. */
  model: string;
  /** The port the service listens on in the local environment (its base URL's). */
  port: number;
  /** The shell command that starts the service; it reads PORT. */
  start: string;
}

/** Node 22 LTS: Node 20 is past its end of life (perfcell still runs on ≥ 20.19). */
export const CI_NODE_VERSION = 22;
/** The base build listens on PORT + this: both builds run on the one CI machine. */
export const BASE_PORT_OFFSET = 100;
/** 12 pairs of the gate profile's 10 s runs ≈ 4 min (docs/gate.md, "Wall time"). */
export const CI_GATE_PAIRS = 12;

export const GITHUB_WORKFLOW_PATH = '.github/workflows/perf-gate.yml';

export function githubWorkflow(a: CiAnswers): string {
  const q = (s: string) => JSON.stringify(s);
  return `# ${a.service}'s pull-request performance gate, written by \`perfcell init\` (perfcell's docs/ci.md, docs/gate.md):
# the base branch's build and this pull request's build of ${a.service} run side by side on the runner and
# perfcell measures them alternately (interleaved mode); the job's exit code is the gate's
# (0 pass, 1 regression, 2 SLO broken, 3 could not measure). SERVICE_START must start ${a.service} on $PORT.
name: perf-gate

on:
  pull_request:

concurrency:
  group: perf-gate-\${{ github.event.pull_request.number }}
  cancel-in-progress: true

permissions:
  contents: read
  pull-requests: write

env:
  GATE_MODEL: ${a.model}
  GATE_PROFILE: gate
  GATE_PAIRS: "${CI_GATE_PAIRS}"
  GATE_TARGET: ${a.service}
  SERVICE_START: ${q(a.start)}
  PORT: "${a.port}"
  BASE_PORT_OFFSET: "${BASE_PORT_OFFSET}"

jobs:
  gate:
    runs-on: ubuntu-24.04
    timeout-minutes: 25
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0

      - uses: actions/setup-node@v4
        with:
          node-version: ${CI_NODE_VERSION}
          cache: npm

      - uses: actions/setup-go@v5               # k6 is built from its Go module by perfcell setup
        with:
          go-version: "1.26"
          cache: false

      - name: Install the service and perfcell
        run: npm ci --no-audit --no-fund

      # After npm ci (which empties node_modules): k6 lives in the installed package's .tools.
      - name: Cache k6
        uses: actions/cache@v4
        with:
          path: node_modules/perfcell/.tools
          key: k6-\${{ runner.os }}-\${{ hashFiles('node_modules/perfcell/package.json') }}

      - name: k6 (found, or built once from its Go module)
        run: npx perfcell setup

      - name: Start both builds (base on PORT + BASE_PORT_OFFSET)
        run: |
          git worktree add ../base "origin/\${GITHUB_BASE_REF}"
          (cd ../base && npm ci --no-audit --no-fund)
          (cd ../base && PORT=$((PORT + BASE_PORT_OFFSET)) nohup sh -c "$SERVICE_START" > ../base.log 2>&1 &)
          nohup sh -c "$SERVICE_START" > ../candidate.log 2>&1 &
          for p in "$PORT" "$((PORT + BASE_PORT_OFFSET))"; do
            timeout 60 sh -c "until curl -s -o /dev/null http://127.0.0.1:$p/; do sleep 1; done"
          done

      - name: Smoke
        run: npx perfcell run "$GATE_MODEL" -p smoke -q --no-influx

      - name: Gate (A = base branch, B = this pull request)
        id: gate
        run: |
          set +e
          npx perfcell gate "$GATE_MODEL" -p "$GATE_PROFILE" --pairs "$GATE_PAIRS" \\
            --against "$GATE_TARGET=http://127.0.0.1:$((PORT + BASE_PORT_OFFSET))" -o reports/gate \\
            --report-url "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID#artifacts"
          echo "code=$?" >> "$GITHUB_OUTPUT"
          cat reports/gate/summary.md >> "$GITHUB_STEP_SUMMARY"
          exit 0

      - name: Keep the gate folder
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: perf-gate
          path: reports/gate
          retention-days: 14

      - name: Comment on the pull request
        if: always() && github.event.pull_request.head.repo.full_name == github.repository
        env:
          GH_TOKEN: \${{ github.token }}
        run: |
          [ -f reports/gate/summary.md ] || exit 0
          gh pr comment "\${{ github.event.pull_request.number }}" --body-file reports/gate/summary.md --edit-last \\
            || gh pr comment "\${{ github.event.pull_request.number }}" --body-file reports/gate/summary.md

      - name: Verdict (0 pass, 1 regression, 2 SLO broken, 3 could not measure)
        run: exit "\${{ steps.gate.outputs.code || 3 }}"
`;
}
