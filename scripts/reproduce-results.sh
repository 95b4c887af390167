#!/usr/bin/env bash
# Reproduces the model-quality numbers of docs/RESULTS.md (issue 13) from the data files: every
# training run, every evaluation, the committed JSON in docs/results/ and the summary tables.
# Long (about 8-12 hours on 2 cores without other load) and not part of CI.
#
#   scripts/reproduce-results.sh [STEP...]      steps, in order (default: all of them):
#     data     the synthetic long-history data sets (./glad generate, seed 1; sha256 checked): s1
#              (3,000 users, the first settings) and the benchmark (the generator's defaults)
#     phase1   the phase-1 encoders: ml-100k, Beauty (validation run, then the final run with the
#              validation item, BERT4Rec's protocol), synthetic
#     beauty   the Beauty phase-1 test evaluation (docs/results/beauty-phase1-*.json)
#     phase2   GLAD phase 2, G+C+A and the no-memory control S, for every data set in PHASE2_DATA
#              x seed, each evaluated on all users with history-length segments
#     analyses the hypotheses on ML-100K: (e) the analysis-only target leak, (a) popularity-sampled
#              training negatives, (c) uncapped epochs, (d) c = 49; and (a), (c), (e) on Beauty; same seeds
#              ((b): step rerun)
#     rerun    2026-12-01: phase-1 encoders retrained with one thread; on ML-100K and Beauty: S,
#              G+C+A, (b) gradients into the memory's chunks, (a) + (c) together, and §6's ablation
#              (G, G+C; on ML-100K the options read, paper-literal, c_f = 100), (d) on Beauty,
#              and on Beauty (b) with 1 and 8 chunks and (b) with (a)
#     synth20k the synthetic long-history benchmark (20,000 users): its 3,000-user pilot (seed 1), its
#              phase-1 encoder, S and G+C+A for every seed, evaluated on all users, G+C+A with 8
#              epochs (seed 1), and the topic oracle with the models' ranks split by user group;
#              JSON in docs/results/synth20k and docs/results/synth-pilot
#     summary  mean +- standard error over seeds -> docs/results/phase2{,-rerun}-summary.{md,json}
#
# Environment: RUNS (default: runs/issue13 under the repository, git-ignored), DATA (default:
# ../shared/datasets), SEEDS (default: "1 2 3"), GLAD (default: the repository's ./glad),
# PHASE2_DATA (default: "ml100k beauty synth"; synth = the 3,000-user set of step data).
# Phase 2 runs with one PyTorch thread, as the runs of RESULTS §7 did. It is not deterministic
# across JVMs (garbage-collection dependent, RESULTS §7.7): a re-run reproduces the numbers within
# the spread between seeds, not bit for bit.
# Runs already finished (their artifact exists) are skipped, so the script can be re-run after an
# interruption; phase 1 also resumes from its checkpoints.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-$ROOT/runs/issue13}"
DATA="${DATA:-$ROOT/../shared/datasets}"
SEEDS="${SEEDS:-1 2 3}"
PHASE2_DATA="${PHASE2_DATA:-ml100k beauty synth}"
GLAD="${GLAD:-$ROOT/glad}"
RESULTS="$ROOT/docs/results"
export OMP_WAIT_POLICY=PASSIVE # PyTorch's OpenMP threads must not spin on a shared machine

ML100K="$DATA/ml-100k.inter"
BEAUTY="$DATA/amazon-beauty.txt"
SYNTH="$RUNS/synth/long-histories-s1.txt"
SYNTH_SHA256=5aca32f41b79a103b781b2a74eb78a0c43b6f00510ef8c3c0e22daa9142a65bf
# the benchmark (RESULTS §7.4): the generator's defaults, 20,000 users, median history 173, the
# held-out items are returns to a planted interest
SYNTH20K="$RUNS/synth/long-histories-u20000-s1.txt"
SYNTH20K_SHA256=f7292b0592455988f2c6286898f64898f33067c0e4089c7ea8cfaff9f6b61fae
# its 3,000-user pilot (the same settings otherwise)
SYNTHPILOT="$RUNS/synth/long-histories-u3000-s1.txt"
SYNTHPILOT_SHA256=3911356c73179120c3697ce260184a9195eb4925c8b6b32861f0ad9a6d953fa8

# phase 2's settings per data set (each run of §7 changes one of them, named with the run)
ML100K_SETTINGS="--chunk 20 --clustering-factor 20 --epochs 4 --max-examples 30000 --patience 2 --eval-users 0"
BEAUTY_SETTINGS="--chunk 5 --clustering-factor 20 --epochs 2 --max-examples 50000 --patience 2 --eval-users 3000"

glad() { nice -n 10 "$GLAD" "$@"; }
done_already() { [[ -f "$1/checksums.sha256" ]]; }
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

step_data() {
  mkdir -p "$RUNS/synth"
  # s1: the first settings (before the benchmark's defaults), spelled out
  [[ -f "$SYNTH" ]] || glad generate --out "$SYNTH" --seed 1 --users 3000 --interests 5 \
    --min-length 60 --returning-tail 0
  echo "$SYNTH_SHA256  $SYNTH" | sha256sum -c -
  [[ -f "$SYNTH20K" ]] || glad generate --out "$SYNTH20K" --seed 1
  echo "$SYNTH20K_SHA256  $SYNTH20K" | sha256sum -c -
}

# the phase-1 encoders phase 2 starts from: phase1_encoders RUNS_DIR THREADS
phase1_encoders() {
  local runs=$1 threads=$2
  mkdir -p "$runs/ml100k" "$runs/beauty"
  done_already "$runs/ml100k/p1-s42" || glad train --data "$ML100K" --out "$runs/ml100k/p1-s42" \
    --epochs 60 --eval-users 0 --dropout 0.2 --lr 0.001 --seed 42 --threads "$threads" --progress-seconds 60
  # Beauty: the validation run picks the recipe; the final run repeats it on all but the test item
  done_already "$runs/beauty/p1-val-d05" || glad train --data "$BEAUTY" --out "$runs/beauty/p1-val-d05" \
    --softmax mixed --lr 0.003 --dropout 0.5 --epochs 60 --eval-users 5000 --patience 10 --seed 42 \
    --threads "$threads" --progress-seconds 120 --curve-png "$runs/beauty/p1-val-d05.curve.png"
}

# the demo-sized encoder of both synthetic sets: e = 64 / 2 layers stayed on the popularity plateau
# (RESULTS §7)
SYNTH_ENCODER="--chunk 10 --dim 32 --layers 1 --heads 2 --max-len 21 --softmax full --batch 64
  --mask-prob 0.3 --lr 0.003 --dropout 0.1 --eval-users 1000 --seed 42 --progress-seconds 60"
# and their phase 2. The benchmark's has 150,000 of its 3.6 M examples per epoch (30,000 left the
# memory's gate near its initial value on the 3,000-user pilot) and c_f = 100 with 5 Lloyd
# iterations: the offline k-means costs points x K per pass, about 50 minutes at c_f = 20 and 15
# iterations for the benchmark's 351,000 chunks, estimated (RESULTS §7.4)
SYNTH_PHASE2="--chunk 10 --clustering-factor 20 --epochs 4 --max-examples 30000 --patience 2 --eval-users 1000"
SYNTH20K_PHASE2="--chunk 10 --clustering-factor 100 --kmeans-iterations 5 --epochs 4 --max-examples 150000
  --patience 2 --eval-users 1000"

step_phase1() {
  mkdir -p "$RUNS/synth"
  phase1_encoders "$RUNS" 2
  # the final run: the validation run's recipe, 50 epochs (its schedule ends at the validation
  # run's best epoch, 49), trained on all but the test item (BERT4Rec's protocol), no validation
  done_already "$RUNS/beauty/p1-final" || glad train --data "$BEAUTY" --out "$RUNS/beauty/p1-final" \
    --softmax mixed --lr 0.003 --dropout 0.5 --epochs 50 --with-validation-item --eval-users -1 \
    --seed 42 --threads 2 --progress-seconds 120 --curve-png "$RUNS/beauty/p1-final.curve.png"
  done_already "$RUNS/synth/p1-s42" || glad train --data "$SYNTH" --out "$RUNS/synth/p1-s42" \
    $SYNTH_ENCODER --epochs 20 --threads 2
}

step_beauty() {
  glad evaluate --model "$RUNS/beauty/p1-final" --data "$BEAUTY" --baselines --threads 2 \
    --json "$RESULTS/beauty-phase1-final-test.json"
  glad evaluate --model "$RUNS/beauty/p1-val-d05" --data "$BEAUTY" --threads 2 \
    --json "$RESULTS/beauty-phase1-validation-run-test.json"
}

# phase2_one DATA VARIANT SEED TAG [extra train args]: train and evaluate one phase-2 model.
# TRAIN (environment) replaces the data set's training settings; EVAL_ARGS adds evaluate flags,
# EVAL_WRITES names a file they write; PHASE2_JSON replaces the JSON directory (docs/results/phase2).
# The evaluation is skipped only when its JSON is newer than the model (the committed JSON of a
# model trained again is rewritten) and EVAL_WRITES exists.
phase2_one() {
  local data=$1 variant=$2 seed=$3 tag=$4
  shift 4
  local file encoder train eval
  case $data in
    ml100k) file=$ML100K; encoder=$RUNS/ml100k/p1-s42
      train=$ML100K_SETTINGS
      eval="" ;;
    # Beauty: every user, all three protocols (full ranking of all 40,226 users takes 7-16 minutes
    # per G+C+A model with one thread; the runs of RESULTS §7.3 evaluated popularity negatives
    # only, and the re-run's S and (b) were evaluated in all three afterwards, same numbers)
    beauty) file=$BEAUTY; encoder=$RUNS/beauty/p1-val-d05
      train=$BEAUTY_SETTINGS
      eval="" ;;
    synth) file=$SYNTH; encoder=$RUNS/synth/p1-s42
      train=$SYNTH_PHASE2; eval="" ;;
    synth20k) file=$SYNTH20K; encoder=$RUNS/synth20k/p1-s42
      train=$SYNTH20K_PHASE2; eval="" ;;
    synthpilot) file=$SYNTHPILOT; encoder=$RUNS/synthpilot/p1-s42
      train=$SYNTH_PHASE2; eval="" ;;
  esac
  local name="$RUNS/$data/p2-$variant${tag:+-$tag}-s$seed"
  local dir="${PHASE2_JSON:-$RESULTS/phase2}"
  local json="$dir/$data-$variant${tag:+-$tag}-s$seed.json"
  mkdir -p "$dir"
  done_already "$name" || OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 glad train --variant "$variant" \
    --encoder "$encoder" --data "$file" --out "$name" ${TRAIN:-$train} --seed "$seed" --threads 1 \
    --progress-seconds 60 "$@"
  [[ "$json" -nt "$name/checksums.sha256" && ( -z "${EVAL_WRITES:-}" || -f "$EVAL_WRITES" ) ]] &&
    return
  local extra="--segments"
  [[ $variant != S ]] && extra="--segments --footprint"
  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 glad evaluate --model "$name" --data "$file" \
    --compare "$encoder" $extra $eval ${EVAL_ARGS:-} --threads 1 --json "$json"
}

step_phase2() {
  for data in $PHASE2_DATA; do
    for seed in $SEEDS; do
      for variant in GCA S; do
        phase2_one "$data" "$variant" "$seed" ""
      done
    done
  done
}

# the hypotheses, on ML-100K, and (a), (c), (e) on Beauty (RESULTS §7.3)
# (c) longer phase 2: the data sets' settings with every example of every epoch (uncapped)
ML100K_LONG="${ML100K_SETTINGS/--max-examples 30000/--max-examples 0}"
BEAUTY_LONG="${BEAUTY_SETTINGS/--max-examples 50000/--max-examples 0}"

step_analyses() {
  local c49="${ML100K_SETTINGS/--chunk 20/--chunk 49}"
  for seed in $SEEDS; do
    # (e) the leak is analysis-only: training and evaluation both need the switch, and full
    # ranking cannot place the target in the memory (the evaluator refuses it)
    EVAL_ARGS="--negatives popularity --leak-target" phase2_one ml100k GCA "$seed" leak --leak-target
  done
  for data in ml100k beauty; do
    for seed in $SEEDS; do
      for variant in S GCA; do
        # (a) popularity-sampled training negatives, the evaluation's distribution
        phase2_one "$data" "$variant" "$seed" popneg --train-negatives popularity
      done
    done
  done
  for seed in $SEEDS; do
    for variant in S GCA; do
      # (d) z_U over Bert4Rec's whole window (c = 49), the memory holding only older chunks
      TRAIN="$c49" phase2_one ml100k "$variant" "$seed" c49
    done
  done
  for seed in $SEEDS; do
    for variant in S GCA; do
      # (c) longer phase 2: every example of every epoch (uncapped), 4 epochs
      TRAIN="$ML100K_LONG" phase2_one ml100k "$variant" "$seed" long
    done
  done
  # (c) on Beauty too: both epochs uncapped (2 x 233,284 examples instead of 2 x 50,000)
  for seed in $SEEDS; do
    for variant in S GCA; do
      TRAIN="$BEAUTY_LONG" phase2_one beauty "$variant" "$seed" long
    done
  done
  # (e) on Beauty, with the Beauty rows' settings (their evaluation has popularity negatives)
  for seed in $SEEDS; do
    EVAL_ARGS="--leak-target" phase2_one beauty GCA "$seed" leak --leak-target
  done
}

# 2026-12-01 (RESULTS §7.3, "re-run"): the phase-1 encoders retrained with one thread each, then
# on both data sets S and G+C+A as in step phase2, (b) gradients into each example's 4 most recent
# memory chunks, (a) + (c) together, and the ablation of §6 on all users with these encoders
# (RESULTS §7.3, "the ablation re-run"); JSON in docs/results/phase2-rerun
step_rerun() (
  RUNS="$RUNS/rerun"
  export PHASE2_JSON="$RESULTS/phase2-rerun"
  phase1_encoders "$RUNS" 1
  for data in ml100k beauty; do
    local long=$ML100K_LONG
    [[ $data == beauty ]] && long=$BEAUTY_LONG
    for seed in $SEEDS; do
      phase2_one "$data" S "$seed" ""
      phase2_one "$data" GCA "$seed" ""
      phase2_one "$data" GCA "$seed" memgrad4 --memory-gradient-chunks 4
      for variant in S GCA; do
        TRAIN="$long" phase2_one "$data" "$variant" "$seed" popneg-long --train-negatives popularity
      done
      # §6's ablation on all users (RESULTS §7.3, "the ablation re-run"): G and G+C
      phase2_one "$data" G "$seed" ""
      phase2_one "$data" GC "$seed" ""
    done
  done
  for seed in $SEEDS; do
    # §6's options on ML-100K: eq. 5 as printed, the paper-literal options, c_f = 100
    phase2_one ml100k GCA "$seed" read --attentive-layer read
    phase2_one ml100k GCA "$seed" literal --activation sigmoid --aggregation sum --attention dot \
      --attentive-layer read --no-item-bias
    TRAIN="${ML100K_SETTINGS/--clustering-factor 20/--clustering-factor 100}" \
      phase2_one ml100k GCA "$seed" cf100
    # (d) on Beauty: z_U over Bert4Rec's whole window, the memory holding only older chunks
    for variant in S GCA; do
      TRAIN="${BEAUTY_SETTINGS/--chunk 5/--chunk 49}" phase2_one beauty "$variant" "$seed" c49
    done
    # (b) with 1 and 8 chunks, and (b) with (a), on Beauty; popularity negatives, the issue's
    # protocol (RESULTS §7.3, "(b) with other chunk counts")
    export EVAL_ARGS="--negatives popularity"
    phase2_one beauty GCA "$seed" memgrad1 --memory-gradient-chunks 1
    phase2_one beauty GCA "$seed" memgrad8 --memory-gradient-chunks 8
    phase2_one beauty GCA "$seed" memgrad4-popneg --memory-gradient-chunks 4 \
      --train-negatives popularity
    phase2_one beauty S "$seed" popneg --train-negatives popularity
    unset EVAL_ARGS
  done
)

# 2026-12-01 (RESULTS §7.4): the benchmark at the issue's size; 8 epochs of 5,618 steps at most,
# stopped after 40 minutes or two epochs without a better validation
step_synth20k() (
  mkdir -p "$RUNS/synth20k" "$RUNS/synthpilot"
  # the pilot, seed 1: S, G+C+A, (b), and G+C+A with 150,000 examples per epoch
  [[ -f "$SYNTHPILOT" ]] || glad generate --out "$SYNTHPILOT" --seed 1 --users 3000
  echo "$SYNTHPILOT_SHA256  $SYNTHPILOT" | sha256sum -c -
  done_already "$RUNS/synthpilot/p1-s42" || glad train --data "$SYNTHPILOT" \
    --out "$RUNS/synthpilot/p1-s42" $SYNTH_ENCODER --epochs 20 --threads 1
  export PHASE2_JSON="$RESULTS/synth-pilot"
  phase2_one synthpilot S 1 ""
  phase2_one synthpilot GCA 1 ""
  phase2_one synthpilot GCA 1 mg4 --memory-gradient-chunks 4
  TRAIN="${SYNTH_PHASE2/30000/150000}" phase2_one synthpilot GCA 1 long
  export PHASE2_JSON="$RESULTS/synth20k"
  done_already "$RUNS/synth20k/p1-s42" || glad train --data "$SYNTH20K" --out "$RUNS/synth20k/p1-s42" \
    $SYNTH_ENCODER --epochs 8 --time-limit 40 --patience 2 --threads 1 \
    --curve-png "$RUNS/synth20k/p1-s42.curve.png"
  local ranks=() csv
  for seed in $SEEDS; do
    for variant in S GCA; do
      # every user's rank too: the oracle script splits them by repeat / topic in the window
      csv="$RUNS/synth20k/ranks-$variant-s$seed.csv"
      EVAL_ARGS="--ranks-csv $csv" EVAL_WRITES="$csv" phase2_one synth20k "$variant" "$seed" ""
      ranks+=("$csv")
    done
  done
  # longer phase 2, seed 1: 8 epochs instead of 4
  csv="$RUNS/synth20k/ranks-GCA-e8-s1.csv"
  TRAIN="${SYNTH20K_PHASE2/--epochs 4/--epochs 8}" EVAL_ARGS="--ranks-csv $csv" EVAL_WRITES="$csv" \
    phase2_one synth20k GCA 1 e8
  ranks+=("$csv")
  python3 "$ROOT/scripts/synthetic-oracle.py" "$SYNTH20K" --ranks "${ranks[@]}" \
    --json "$RESULTS/synth20k/oracle.json"
)

step_summary() {
  # (each summary's JSON goes beside it: docs/results/phase2-summary.json, ...)
  python3 "$ROOT/scripts/summarize-results.py" "$RESULTS/phase2" > "$RESULTS/phase2-summary.md"
  python3 "$ROOT/scripts/summarize-results.py" "$RESULTS/phase2-rerun" > "$RESULTS/phase2-rerun-summary.md"
  python3 "$ROOT/scripts/summarize-results.py" "$RESULTS/synth20k" > "$RESULTS/synth20k-summary.md"
  python3 "$ROOT/scripts/summarize-results.py" "$RESULTS/synth-pilot" > "$RESULTS/synth-pilot-summary.md"
}

steps=("$@")
[[ ${#steps[@]} -eq 0 ]] && steps=(data phase1 beauty phase2 analyses rerun synth20k summary)
for s in "${steps[@]}"; do
  log "step $s"
  "step_$s"
done
