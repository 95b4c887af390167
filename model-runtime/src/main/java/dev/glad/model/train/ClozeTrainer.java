package dev.glad.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.SpecialTokens;
import dev.glad.model.encoder.Bert4RecBlock;
import dev.glad.model.encoder.Bert4RecModel;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.encoder.EngineArrays;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.encoder.TokenBatch;
import dev.glad.model.eval.EvaluationResult;
import dev.glad.model.eval.Evaluator;
import dev.glad.model.eval.NegativeProtocol;
import dev.glad.model.eval.Scorers;
import dev.glad.model.train.ClozeMasking.MaskedSequence;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Phase-1 Cloze training of the Bert4Rec encoder (GLAD paper §2.5).
 *
 * <p>Each epoch every training window yields one randomly masked sample and (optionally) one sample
 * that masks only its last item. Samples are shuffled, grouped into batches of similar length (so
 * batches are narrow), and trained with AdamW under a warmup/linear-decay schedule.
 *
 * <p>Determinism: the epoch's sample order, every mask and every dropout draw are functions of
 * {@code (seed, epoch, step)}, so a run resumed from a checkpoint continues exactly as an
 * uninterrupted run would (on the same engine, device and thread count).
 */
public final class ClozeTrainer {
  /** Batches are formed from pools this many batches large, sorted by length. */
  private static final int LENGTH_POOL_BATCHES = 50;

  private final EncoderConfig encoderConfig;
  private final TrainingConfig config;
  private final LeaveOneOutSplit split;
  private final Device device;
  private final Path checkpointDir;
  private final PrintStream out;
  private final double progressSeconds;
  private final List<int[]> windows = new ArrayList<>();
  private final float[] targetFrequency;
  private long interruptAfterSteps = Long.MAX_VALUE;
  private long skippedSteps;
  private long corruptGradientAtStep = -1;

  /** Non-finite gradients tolerated (skipped) in one run before it stops. */
  static final int MAX_SKIPPED_STEPS = 20;

  /** Computations of a step whose gradient is not finite before it is skipped. */
  static final int STEP_ATTEMPTS = 2;

  /**
   * @param checkpointDir where checkpoints go and are resumed from (null = no checkpoints)
   * @param out where progress lines go
   * @param progressSeconds interval between progress lines
   */
  public ClozeTrainer(
      EncoderConfig encoderConfig,
      TrainingConfig config,
      LeaveOneOutSplit split,
      Device device,
      Path checkpointDir,
      PrintStream out,
      double progressSeconds) {
    if (split.tokenCount() != encoderConfig.tokenCount()) {
      throw new IllegalArgumentException(
          "data has "
              + split.tokenCount()
              + " tokens but the encoder config "
              + encoderConfig.tokenCount());
    }
    this.encoderConfig = encoderConfig;
    this.config = config;
    this.split = split;
    this.device = device;
    this.checkpointDir = checkpointDir;
    this.out = out;
    this.progressSeconds = progressSeconds;
    for (int u = 0; u < split.userCount(); u++) {
      windows.addAll(ClozeMasking.windows(trainingItems(split, u), encoderConfig.maxLength()));
    }
    if (windows.isEmpty()) {
      throw new IllegalArgumentException("no user has 2 or more training items");
    }
    this.targetFrequency = frequencies(windows, encoderConfig.tokenCount());
  }

  /** The items user {@code u} trains on: all but the last two, or all but the last one. */
  private int[] trainingItems(LeaveOneOutSplit split, int u) {
    return config.withValidationItem() && split.isEvaluable(u)
        ? split.input(u, LeaveOneOutSplit.Target.TEST)
        : split.trainingItems(u);
  }

  /**
   * Simulates an interruption for tests: after this many steps of the next {@link #train} call, a
   * checkpoint is written and training returns as if the process had been stopped.
   */
  void interruptAfterSteps(long steps) {
    this.interruptAfterSteps = steps;
  }

  /** Tests: the first computation of this step gets a NaN in one gradient (a transient fault). */
  void corruptGradientOnce(long globalStep) {
    this.corruptGradientAtStep = globalStep;
  }

  /** The training windows (each user's, oldest first), for tests. */
  List<int[]> windows() {
    return List.copyOf(windows);
  }

  /** Training samples per epoch. */
  public int samplesPerEpoch() {
    return windows.size() * (config.lastItemSamples() ? 2 : 1);
  }

  /** Steps per epoch. */
  public long stepsPerEpoch() {
    return (samplesPerEpoch() + config.loop().batchSize() - 1) / config.loop().batchSize();
  }

  /** Runs (or resumes) training. */
  public TrainingResult train() {
    long totalSteps = stepsPerEpoch() * config.loop().epochs();
    long warmup = Math.min(totalSteps - 1, Math.round(config.warmupFraction() * totalSteps));
    LearningRateSchedule schedule =
        new LearningRateSchedule(config.loop().learningRate(), warmup, Math.max(1, totalSteps));
    Bert4RecModel model = Bert4RecModel.create(encoderConfig, device, config.loop().seed());
    Map<String, Parameter> parameters = SparseTokenTable.denseParameters(model);
    try (NDManager cpu = NDManager.newBaseManager(Device.cpu());
        AdamW optimizer = new AdamW(model.manager(), parameters, config.loop().weightDecay())) {
      SparseTokenTable tokenTable = new SparseTokenTable(model, config.loop().weightDecay());
      TrainingState state = new TrainingState();
      state.fingerprint = fingerprint();
      NDList best = null;
      if (checkpointDir != null && Checkpoints.exists(checkpointDir)) {
        TrainingState saved = Checkpoints.readState(checkpointDir);
        if (!state.fingerprint.equals(saved.fingerprint)) {
          throw new IllegalStateException(
              "checkpoint in "
                  + checkpointDir
                  + " was written for a different configuration or data set ("
                  + saved.fingerprint
                  + " vs "
                  + state.fingerprint
                  + "); delete it or choose another --checkpoint-dir");
        }
        state = saved;
        model.setParameters(Checkpoints.readArrays(checkpointDir, "parameters.npz", cpu));
        NDList optimizerState = Checkpoints.readArrays(checkpointDir, "optimizer.npz", cpu);
        optimizer.restore(optimizerState, state.optimizerStep);
        tokenTable.restore(optimizerState);
        best = Checkpoints.readArrays(checkpointDir, "best.npz", cpu);
        out.printf(
            Locale.ROOT,
            "Resuming from %s: epoch %d, step %d of %d%n",
            checkpointDir,
            state.epoch + 1,
            state.stepInEpoch,
            stepsPerEpoch());
      }
      Evaluator evaluator =
          Evaluator.forValidation(split, config.loop().seed(), config.loop().evalUsers());
      EarlyStopping stopping =
          new EarlyStopping(
              config.loop(),
              state.bestMetric,
              state.bestEpoch,
              state.evaluationsWithoutImprovement);
      String stopReason = stopping.completedReason();
      long runStart = System.nanoTime();
      double secondsBeforeRun = state.trainingSeconds;
      long lastCheckpoint = System.nanoTime();
      ProgressMeter meter = new ProgressMeter(out, progressSeconds, System.nanoTime());
      StepTimes times = new StepTimes();
      boolean stop = false;
      long stepsThisRun = 0;
      while (state.epoch < config.loop().epochs() && !stop) {
        List<int[]> batches = planBatches(state.epoch);
        long epochStartNanos = System.nanoTime();
        double epochSecondsBefore = state.epochSeconds;
        for (int b = (int) state.stepInEpoch; b < batches.size(); b++) {
          List<MaskedSequence> samples = materialize(state.epoch, batches.get(b));
          float loss =
              trainStep(
                  model,
                  optimizer,
                  parameters,
                  tokenTable,
                  samples,
                  state.globalStep,
                  schedule,
                  times);
          if (!Float.isFinite(loss)) {
            throw new IllegalStateException(
                "loss became " + loss + " at step " + state.globalStep + "; lower --lr");
          }
          state.globalStep++;
          state.stepInEpoch = b + 1;
          state.optimizerStep = optimizer.step();
          state.epochLossSum += loss * samples.size();
          state.epochSamples += samples.size();
          state.trainingSamples += samples.size();
          long now = System.nanoTime();
          state.epochSeconds = epochSecondsBefore + (now - epochStartNanos) / 1e9;
          state.trainingSeconds = secondsBeforeRun + (now - runStart) / 1e9;
          double rate = state.epochSamples / Math.max(1e-9, state.epochSeconds);
          long remainingSteps = totalSteps - state.globalStep;
          double eta = remainingSteps * state.epochSeconds / Math.max(1, state.stepInEpoch);
          if (config.loop().timeLimitSeconds() > 0) {
            eta = Math.min(eta, config.loop().timeLimitSeconds() - state.trainingSeconds);
          }
          meter.step(
              now, loss, state.epoch + 1, config.loop().epochs(), b + 1, batches.size(), rate, eta);
          if (++stepsThisRun >= interruptAfterSteps) {
            writeCheckpoint(state, model, optimizer, tokenTable, best, cpu);
            return new TrainingResult(
                model,
                List.copyOf(state.curve),
                state.bestEpoch,
                state.trainingSeconds,
                0,
                "interrupted");
          }
          if (stopping.timeUp(state.trainingSeconds)) {
            stopReason = stopping.stopReason(state.trainingSeconds).orElseThrow();
            stop = true;
            break;
          }
          if (checkpointDir != null && (now - lastCheckpoint) / 1e9 >= config.checkpointSeconds()) {
            writeCheckpoint(state, model, optimizer, tokenTable, best, cpu);
            lastCheckpoint = System.nanoTime();
          }
        }
        double epochDone = state.epoch + state.stepInEpoch / (double) batches.size();
        double hr = Double.NaN;
        double ndcg = Double.NaN;
        tokenTable.writeTo(model);
        if (evaluator != null) {
          EvaluationResult validation =
              evaluator.evaluate(
                  Scorers.model(SequenceEncoder.borrowing(model)),
                  NegativeProtocol.POPULARITY,
                  done -> {});
          hr = validation.get("HR@10");
          ndcg = validation.get("NDCG@10");
        }
        if (stopping.record(epochDone, ndcg) && evaluator != null) {
          if (best != null) {
            best.close();
          }
          best = model.copyParameters(cpu);
        }
        state.bestMetric = stopping.bestMetric();
        state.bestEpoch = stopping.bestEpoch();
        state.evaluationsWithoutImprovement = stopping.withoutImprovement();
        CurvePoint point =
            new CurvePoint(
                epochDone,
                state.epochLossSum / Math.max(1, state.epochSamples),
                hr,
                ndcg,
                state.trainingSeconds,
                state.epochSamples / Math.max(1e-9, state.epochSeconds));
        state.curve.add(point);
        out.printf(
            Locale.ROOT,
            "epoch %.2f done: loss %.4f, %s, %.0f samples/s, %s elapsed%n  step time: %s%n",
            point.epoch(),
            point.trainLoss(),
            ProgressMeter.validation(hr, ndcg, evaluator == null ? 0 : evaluator.userCount()),
            point.samplesPerSecond(),
            ProgressMeter.formatDuration(state.trainingSeconds),
            times.summary());
        times.reset();
        if (!stop) {
          state.epoch++;
          state.stepInEpoch = 0;
          state.epochLossSum = 0;
          state.epochSamples = 0;
          state.epochSeconds = 0;
        }
        if (!stop && stopping.stopReason(state.trainingSeconds).isPresent()) {
          stopReason = stopping.stopReason(state.trainingSeconds).get();
          stop = true;
        }
        if (checkpointDir != null) {
          writeCheckpoint(state, model, optimizer, tokenTable, best, cpu);
          lastCheckpoint = System.nanoTime();
        }
      }
      tokenTable.writeTo(model);
      if (best != null) {
        model.setParameters(best);
      }
      return new TrainingResult(
          model,
          List.copyOf(state.curve),
          state.bestEpoch,
          state.trainingSeconds,
          state.trainingSamples / Math.max(1e-9, state.trainingSeconds),
          stopReason);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * Sample ids of each batch of {@code epoch}: ids {@code < W} are random-mask samples of window
   * id, ids {@code >= W} last-item samples of window {@code id - W}.
   */
  List<int[]> planBatches(int epoch) {
    int count = samplesPerEpoch();
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(mix(config.loop().seed(), epoch, 1));
    shuffle(order, random);
    int batch = config.loop().batchSize();
    int pool = batch * LENGTH_POOL_BATCHES;
    List<int[]> batches = new ArrayList<>();
    for (int start = 0; start < count; start += pool) {
      int end = Math.min(count, start + pool);
      Integer[] ids = new Integer[end - start];
      for (int i = start; i < end; i++) {
        ids[i - start] = order[i];
      }
      Arrays.sort(ids, (a, b) -> Integer.compare(windowOf(a).length, windowOf(b).length));
      for (int b = 0; b < ids.length; b += batch) {
        int[] members = new int[Math.min(batch, ids.length - b)];
        for (int i = 0; i < members.length; i++) {
          members[i] = ids[b + i];
        }
        batches.add(members);
      }
    }
    Collections.shuffle(batches, new Random(mix(config.loop().seed(), epoch, 2)));
    return batches;
  }

  private int[] windowOf(int sampleId) {
    return windows.get(sampleId % windows.size());
  }

  private List<MaskedSequence> materialize(int epoch, int[] sampleIds) {
    List<MaskedSequence> samples = new ArrayList<>(sampleIds.length);
    for (int id : sampleIds) {
      int[] window = windowOf(id);
      if (id < windows.size()) {
        SplittableRandom random = new SplittableRandom(mix(config.loop().seed(), epoch, 3L + id));
        samples.add(ClozeMasking.randomMask(window, config.maskProbability(), random));
      } else {
        samples.add(ClozeMasking.lastItemMask(window));
      }
    }
    return samples;
  }

  private void writeCheckpoint(
      TrainingState state,
      Bert4RecModel model,
      AdamW optimizer,
      SparseTokenTable tokenTable,
      NDList best,
      NDManager cpu) {
    tokenTable.writeTo(model);
    NDList optimizerState = optimizer.state(cpu);
    optimizerState.addAll(tokenTable.state(cpu));
    Checkpoints.write(checkpointDir, state, model.copyParameters(cpu), optimizerState, best);
  }

  private float trainStep(
      Bert4RecModel model,
      AdamW optimizer,
      Map<String, Parameter> parameters,
      SparseTokenTable tokenTable,
      List<MaskedSequence> samples,
      long globalStep,
      LearningRateSchedule schedule,
      StepTimes times) {
    long start = System.nanoTime();
    int[][] rows = new int[samples.size()][];
    int maskedCount = 0;
    for (int i = 0; i < rows.length; i++) {
      rows[i] = samples.get(i).tokens();
      maskedCount += samples.get(i).targets().length;
    }
    int width = TokenBatch.width(rows, false, encoderConfig.maxLength());
    long[] tokens = TokenBatch.rightAligned(rows, width, false);
    long[] positions = new long[maskedCount];
    long[] targets = new long[maskedCount];
    int k = 0;
    for (int r = 0; r < rows.length; r++) {
      MaskedSequence s = samples.get(r);
      int offset = r * width + (width - s.tokens().length);
      for (int j = 0; j < s.targets().length; j++) {
        positions[k] = offset + s.maskedPositions()[j];
        targets[k] = s.targets()[j];
        k++;
      }
    }
    boolean full = config.softmax() == SoftmaxMode.FULL;
    long[] negatives = full ? null : negatives(globalStep, targets);
    StepRows stepRows =
        full
            ? StepRows.all(encoderConfig.tokenCount())
            : new StepRows.Builder(encoderConfig.tokenCount())
                .addAll(tokens)
                .addAll(targets)
                .addAll(negatives)
                .build();
    for (int attempt = 1; ; attempt++) {
      // the same seed on a recomputation: the same dropout masks, so the same step
      Engine.getInstance().setRandomSeed((int) mix(config.loop().seed(), globalStep, 0));
      try (NDScope scope = new NDScope();
          NDManager step = model.manager().newSubManager()) {
        scope.suppressNotUsedWarning();
        SparseTokenTable.Step table = tokenTable.begin(stepRows, step);
        NDArray tokenArray =
            EngineArrays.create(step, stepRows.local(tokens), new Shape(rows.length, width));
        NDArray positionArray = EngineArrays.create(step, positions);
        NDArray targetArray = EngineArrays.create(step, stepRows.local(targets));
        long forwardStart = System.nanoTime();
        float lossValue;
        long backwardStart;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          Bert4RecBlock block = model.block();
          NDArray hidden = block.forward(model.parameterStore(), tokenArray, table.table(), true);
          NDArray flat = hidden.reshape(-1, encoderConfig.hiddenSize());
          NDArray selected = Embedding.embedding(positionArray, flat, SparseFormat.DENSE).head();
          NDArray loss =
              full
                  ? fullSoftmaxLoss(selected, table.table(), table.bias(), targetArray)
                  : sampledSoftmaxLoss(
                      selected,
                      table.table(),
                      table.bias(),
                      targetArray,
                      EngineArrays.create(step, stepRows.local(negatives)),
                      EngineArrays.create(step, logQCorrection(negatives, targets.length))
                          .reshape(1, -1));
          lossValue = loss.getFloat();
          backwardStart = System.nanoTime();
          collector.backward(loss);
        }
        long updateStart = System.nanoTime();
        if (globalStep == corruptGradientAtStep && attempt == 1) {
          parameters
              .values()
              .iterator()
              .next()
              .getArray()
              .getGradient()
              .set(new NDIndex("0"), Float.NaN);
        }
        float norm =
            (float) Math.sqrt(AdamW.squaredGradientNorm(parameters) + table.squaredGradientNorm());
        if (!Float.isFinite(norm)) {
          out.printf(
              Locale.ROOT,
              "step %d, attempt %d: gradient norm %s (loss %s): %s%n",
              globalStep,
              attempt,
              norm,
              lossValue,
              GradientReport.nonFinite(parameters, Map.of(), table));
          AdamW.zeroGradients(parameters);
          if (attempt < STEP_ATTEMPTS) {
            continue;
          }
          skipStep(globalStep, times, start);
          return lossValue;
        }
        float scale = AdamW.clipScale(norm, config.loop().gradientClipNorm());
        if (scale != 1f) {
          AdamW.scaleGradients(parameters, scale);
        }
        float rate = schedule.rate(globalStep);
        optimizer.update(parameters, rate);
        tokenTable.update(table, scale, rate);
        long end = System.nanoTime();
        times.add(
            forwardStart - start,
            backwardStart - forwardStart,
            updateStart - backwardStart,
            end - updateStart,
            ClozeFlops.perStep(encoderConfig, rows.length, width, targets.length, scoredColumns()));
        return lossValue;
      }
    }
  }

  /**
   * A non-finite gradient would turn every weight into NaN through the clip scale. It has been seen
   * rarely and not reproducibly (the same step recomputed, or the same run replayed, is finite), so
   * a step is first recomputed (same seed, same masks: the result a clean run gets); only if that
   * fails too is it dropped and counted, and a run that keeps failing stops.
   */
  private void skipStep(long globalStep, StepTimes times, long start) {
    skippedSteps++;
    out.printf(
        Locale.ROOT,
        "step %d skipped after %d attempts (%d skipped so far)%n",
        globalStep,
        STEP_ATTEMPTS,
        skippedSteps);
    times.add(System.nanoTime() - start, 0, 0, 0, 0);
    if (skippedSteps > MAX_SKIPPED_STEPS) {
      throw new IllegalStateException(skippedSteps + " steps had non-finite gradients; lower --lr");
    }
  }

  /** Output-layer columns each masked position is scored against. */
  private int scoredColumns() {
    return switch (config.softmax()) {
      case FULL -> encoderConfig.tokenCount();
      case SAMPLED -> config.sampledNegatives() + 1;
      case MIXED -> config.sampledNegatives() + 1 + config.loop().batchSize();
    };
  }

  /**
   * The step's negatives: {@code sampledNegatives} batch-shared items drawn uniformly (a function
   * of the seed and the step) and, for {@code mixed}, the batch's masked targets after them.
   */
  long[] negatives(long globalStep, long[] targets) {
    int items = encoderConfig.tokenCount() - SpecialTokens.FIRST_ITEM;
    int count = config.sampledNegatives();
    SplittableRandom random = new SplittableRandom(mix(config.loop().seed(), globalStep, 5));
    boolean mixed = config.softmax() == SoftmaxMode.MIXED;
    long[] negatives = new long[count + (mixed ? targets.length : 0)];
    for (int i = 0; i < count; i++) {
      negatives[i] = SpecialTokens.FIRST_ITEM + random.nextInt(items);
    }
    if (mixed) {
      System.arraycopy(targets, 0, negatives, count, targets.length);
    }
    return negatives;
  }

  /**
   * {@code -log(expected count of each negative in the negative set)}: {@code -log(S/V)} for the
   * uniform draw, {@code -log(S/V + M·p(item))} with the batch's M targets as well (mixed).
   */
  float[] logQCorrection(long[] negatives, int batchTargets) {
    int items = encoderConfig.tokenCount() - SpecialTokens.FIRST_ITEM;
    float uniform = config.sampledNegatives() / (float) items;
    boolean mixed = config.softmax() == SoftmaxMode.MIXED;
    float[] correction = new float[negatives.length];
    for (int i = 0; i < negatives.length; i++) {
      float expected = uniform;
      if (mixed) {
        expected += batchTargets * targetFrequency[(int) negatives[i]];
      }
      correction[i] = (float) -Math.log(expected);
    }
    return correction;
  }

  /** Mean cross-entropy of the targets over all tokens ({@code table} and {@code bias} whole). */
  static NDArray fullSoftmaxLoss(NDArray selected, NDArray table, NDArray bias, NDArray targets) {
    NDArray logits = Linear.linear(selected, table, bias).head();
    NDArray logProbabilities = logits.logSoftmax(1);
    return logProbabilities.gather(targets.reshape(-1, 1), 1).mean().neg();
  }

  /**
   * Sampled softmax: each target against the batch-shared {@code negatives}, each negative logit
   * corrected by {@code correction} (log-Q, so that the loss estimates the full softmax's
   * cross-entropy); negatives equal to the row's target are masked out. Ids index {@code table}.
   */
  static NDArray sampledSoftmaxLoss(
      NDArray selected,
      NDArray table,
      NDArray bias,
      NDArray targets,
      NDArray negatives,
      NDArray correction) {
    NDArray columnBias = bias.reshape(-1, 1);
    NDArray positive =
        selected
            .mul(Embedding.embedding(targets, table, SparseFormat.DENSE).head())
            .sum(new int[] {1}, true)
            .add(Embedding.embedding(targets, columnBias, SparseFormat.DENSE).head());
    NDArray negativeLogits =
        selected
            .matMul(Embedding.embedding(negatives, table, SparseFormat.DENSE).head().transpose())
            .add(
                Embedding.embedding(negatives, columnBias, SparseFormat.DENSE)
                    .head()
                    .reshape(1, -1))
            .add(correction);
    NDArray accidentalHits =
        targets
            .reshape(-1, 1)
            .eq(negatives.reshape(1, -1))
            .toType(DataType.FLOAT32, false)
            .mul(-1e9f);
    NDArray logits = positive.concat(negativeLogits.add(accidentalHits), 1);
    return logits.logSoftmax(1).get(":, 0").mean().neg();
  }

  /** Share of each token among all items of the training windows. */
  static float[] frequencies(List<int[]> windows, int tokenCount) {
    double[] counts = new double[tokenCount];
    double total = 0;
    for (int[] window : windows) {
      for (int item : window) {
        counts[item]++;
        total++;
      }
    }
    float[] frequency = new float[tokenCount];
    for (int i = 0; i < tokenCount; i++) {
      frequency[i] = (float) (counts[i] / total);
    }
    return frequency;
  }

  private String fingerprint() {
    return Integer.toHexString(
            (encoderConfig.toString()
                    + config.loop().epochs()
                    + config.loop().batchSize()
                    + config.loop().learningRate()
                    + config.loop().weightDecay()
                    + config.warmupFraction()
                    + config.maskProbability()
                    + config.lastItemSamples()
                    + config.softmax()
                    + config.sampledNegatives()
                    + config.loop().gradientClipNorm()
                    + config.loop().seed()
                    + config.loop().evalUsers()
                    + config.withValidationItem()
                    + "|lazy-row-adamw|"
                    + split.userCount()
                    + "|"
                    + windows.size())
                .hashCode())
        + "-"
        + windows.size();
  }

  /** A well-spread 64-bit seed from three numbers (SplitMix64 finaliser). */
  public static long mix(long a, long b, long c) {
    long z = a * 0x9E3779B97F4A7C15L + b * 0xC2B2AE3D27D4EB4FL + c * 0x165667B19E3779F9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static void shuffle(int[] values, SplittableRandom random) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }
}
