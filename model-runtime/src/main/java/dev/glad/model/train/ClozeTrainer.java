package dev.glad.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.GradientCollector;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.data.SpecialTokens;
import dev.glad.model.encoder.Bert4RecBlock;
import dev.glad.model.encoder.Bert4RecModel;
import dev.glad.model.encoder.EncoderConfig;
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
      windows.addAll(ClozeMasking.windows(split.trainingItems(u), encoderConfig.maxLength()));
    }
    if (windows.isEmpty()) {
      throw new IllegalArgumentException("no user has 2 or more training items");
    }
    this.targetFrequency = frequencies(windows, encoderConfig.tokenCount());
  }

  /**
   * Simulates an interruption for tests: after this many steps of the next {@link #train} call, a
   * checkpoint is written and training returns as if the process had been stopped.
   */
  void interruptAfterSteps(long steps) {
    this.interruptAfterSteps = steps;
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
    try (NDManager cpu = NDManager.newBaseManager(Device.cpu());
        AdamW optimizer =
            new AdamW(model.manager(), model.parameters(), config.loop().weightDecay())) {
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
        optimizer.restore(
            Checkpoints.readArrays(checkpointDir, "optimizer.npz", cpu), state.optimizerStep);
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
      Map<String, Parameter> parameters = model.parameters();
      boolean stop = false;
      long stepsThisRun = 0;
      while (state.epoch < config.loop().epochs() && !stop) {
        List<int[]> batches = planBatches(state.epoch);
        long epochStartNanos = System.nanoTime();
        double epochSecondsBefore = state.epochSeconds;
        for (int b = (int) state.stepInEpoch; b < batches.size(); b++) {
          List<MaskedSequence> samples = materialize(state.epoch, batches.get(b));
          float loss = trainStep(model, optimizer, parameters, samples, state.globalStep, schedule);
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
            Checkpoints.write(
                checkpointDir, state, model.copyParameters(cpu), optimizer.state(cpu), best);
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
            Checkpoints.write(
                checkpointDir, state, model.copyParameters(cpu), optimizer.state(cpu), best);
            lastCheckpoint = System.nanoTime();
          }
        }
        double epochDone = state.epoch + state.stepInEpoch / (double) batches.size();
        double hr = Double.NaN;
        double ndcg = Double.NaN;
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
            "epoch %.2f done: loss %.4f, %s, %.0f samples/s, %s elapsed%n",
            point.epoch(),
            point.trainLoss(),
            ProgressMeter.validation(hr, ndcg, evaluator == null ? 0 : evaluator.userCount()),
            point.samplesPerSecond(),
            ProgressMeter.formatDuration(state.trainingSeconds));
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
          Checkpoints.write(
              checkpointDir, state, model.copyParameters(cpu), optimizer.state(cpu), best);
          lastCheckpoint = System.nanoTime();
        }
      }
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

  private float trainStep(
      Bert4RecModel model,
      AdamW optimizer,
      Map<String, Parameter> parameters,
      List<MaskedSequence> samples,
      long globalStep,
      LearningRateSchedule schedule) {
    Engine.getInstance().setRandomSeed((int) mix(config.loop().seed(), globalStep, 0));
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
    try (NDScope scope = new NDScope();
        NDManager step = model.manager().newSubManager()) {
      scope.suppressNotUsedWarning();
      NDArray tokenArray = step.create(tokens, new Shape(rows.length, width));
      NDArray positionArray = step.create(positions);
      NDArray targetArray = step.create(targets);
      float lossValue;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        Bert4RecBlock block = model.block();
        NDArray hidden = block.forward(model.parameterStore(), new NDList(tokenArray), true).head();
        NDArray flat = hidden.reshape(-1, encoderConfig.hiddenSize());
        NDArray selected = Embedding.embedding(positionArray, flat, SparseFormat.DENSE).head();
        NDArray loss =
            config.softmax() == SoftmaxMode.FULL
                ? fullSoftmaxLoss(model, selected, targetArray)
                : sampledSoftmaxLoss(
                    model,
                    selected,
                    targetArray,
                    step,
                    globalStep,
                    config.softmax() == SoftmaxMode.MIXED);
        collector.backward(loss);
        lossValue = loss.getFloat();
      }
      AdamW.clipGradients(parameters, config.loop().gradientClipNorm());
      optimizer.update(parameters, schedule.rate(globalStep));
      return lossValue;
    }
  }

  /** Mean cross-entropy of the targets over all tokens. */
  static NDArray fullSoftmaxLoss(Bert4RecModel model, NDArray selected, NDArray targets) {
    NDArray logits = model.block().logits(model.parameterStore(), selected);
    NDArray logProbabilities = logits.logSoftmax(1);
    return logProbabilities.gather(targets.reshape(-1, 1), 1).mean().neg();
  }

  /**
   * Sampled softmax: the target against {@code sampledNegatives} batch-shared uniform items and,
   * when {@code withBatchTargets}, the batch's masked targets as further negatives. Each negative
   * logit is corrected by {@code -log(expected count of the item in the negative set)}, i.e. {@code
   * -log(S/V + M * p(item))} with p the training frequency ({@code -log(S/V)} without batch
   * targets), so that the loss estimates the full softmax; negatives equal to the row's target are
   * masked out.
   */
  private NDArray sampledSoftmaxLoss(
      Bert4RecModel model,
      NDArray selected,
      NDArray targets,
      NDManager step,
      long globalStep,
      boolean withBatchTargets) {
    int items = encoderConfig.tokenCount() - SpecialTokens.FIRST_ITEM;
    int count = config.sampledNegatives();
    SplittableRandom random = new SplittableRandom(mix(config.loop().seed(), globalStep, 5));
    long[] uniform = new long[count];
    for (int i = 0; i < count; i++) {
      uniform[i] = SpecialTokens.FIRST_ITEM + random.nextInt(items);
    }
    NDArray negativeIds = step.create(uniform);
    NDArray correction;
    if (withBatchTargets) {
      negativeIds = negativeIds.concat(targets);
      NDArray frequency = step.create(targetFrequency).reshape(-1, 1);
      long batchTargets = targets.getShape().get(0);
      correction =
          Embedding.embedding(negativeIds, frequency, SparseFormat.DENSE)
              .head()
              .reshape(1, -1)
              .mul(batchTargets)
              .add(count / (float) items)
              .log()
              .neg();
    } else {
      correction = step.create((float) Math.log(items / (double) count));
    }
    NDArray table = model.block().tokenEmbeddings(model.parameterStore(), selected);
    NDArray bias = model.block().outputBias(model.parameterStore(), selected).reshape(-1, 1);
    NDArray positive =
        selected
            .mul(Embedding.embedding(targets, table, SparseFormat.DENSE).head())
            .sum(new int[] {1}, true)
            .add(Embedding.embedding(targets, bias, SparseFormat.DENSE).head());
    NDArray negativeLogits =
        selected
            .matMul(Embedding.embedding(negativeIds, table, SparseFormat.DENSE).head().transpose())
            .add(Embedding.embedding(negativeIds, bias, SparseFormat.DENSE).head().reshape(1, -1))
            .add(correction);
    NDArray accidentalHits =
        targets
            .reshape(-1, 1)
            .eq(negativeIds.reshape(1, -1))
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
                    + "|"
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
