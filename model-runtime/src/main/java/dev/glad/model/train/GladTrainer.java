package dev.glad.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.GradientCollector;
import dev.glad.model.artifact.GladArtifact;
import dev.glad.model.data.ItemVocabulary;
import dev.glad.model.data.LeaveOneOutSplit;
import dev.glad.model.encoder.Bert4RecModel;
import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.encoder.EngineArrays;
import dev.glad.model.encoder.SequenceEncoder;
import dev.glad.model.encoder.TokenBatch;
import dev.glad.model.eval.EvaluationResult;
import dev.glad.model.eval.Evaluator;
import dev.glad.model.eval.NegativeProtocol;
import dev.glad.model.head.GladHead;
import dev.glad.model.head.GladScorer;
import dev.glad.model.memory.ClusterNodes;
import dev.glad.model.memory.GladConfig;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.GraphMemoryMath;
import dev.glad.model.memory.HeadWeights;
import dev.glad.model.memory.OfflineMemoryBuilder;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Phase 2 of GLAD (paper §2.5): the pretrained encoder, the graph memory, GraphSAGE and the gate
 * trained end to end with cross-entropy over the positive and sampled negatives (eq. 7).
 *
 * <p>Examples: every training position {@code t >= 1} of every user; the short-term input is the
 * {@code c} items before {@code t}, the memory holds the user's {@code floor(t / c)} complete
 * chunks before {@code t} (see {@link TrainingMemory#view}). After every epoch the memory is
 * re-encoded with the current encoder (chunks reassigned to the current centroids, means
 * recomputed), then validated; the best epoch's encoder, head and memory are returned, so the
 * exported centroids are the final encoder's. Within an epoch the memory is a constant unless
 * {@link GladTrainingConfig#memoryGradientChunks} re-encodes each example's recent memory chunks in
 * its step ({@link FreshMemoryChunks}, issue 13's hypothesis (b)).
 */
public final class GladTrainer {
  private final EncoderConfig encoderConfig;
  private final GladVariant variant;
  private final GladOptions options;
  private final GladTrainingConfig config;
  private final LeaveOneOutSplit split;
  private final ItemVocabulary vocabulary;
  private final Bert4RecModel encoder;
  private final PrintStream out;
  private final double progressSeconds;
  private final long[] examples;
  private final TrainingNegatives.Sampler negativeSampler;

  /** Analysis only: the item embeddings the target leak puts into the memory (epoch start). */
  private float[][] leakTable;

  private long skippedSteps;
  private long corruptGradientAtStep = -1;

  /**
   * @param encoder the phase-1 encoder; training changes it in place; the caller keeps ownership
   * @param chunkSize c
   */
  public GladTrainer(
      Bert4RecModel encoder,
      int chunkSize,
      GladVariant variant,
      GladOptions options,
      GladTrainingConfig config,
      LeaveOneOutSplit split,
      ItemVocabulary vocabulary,
      PrintStream out,
      double progressSeconds) {
    if (variant == GladVariant.BERT4REC) {
      throw new IllegalArgumentException("variant bert4rec is phase 1 only (ClozeTrainer)");
    }
    this.encoderConfig = GladArtifact.withChunkSize(encoder.config(), chunkSize);
    this.variant = variant;
    this.options = options;
    this.config = config;
    this.split = split;
    this.vocabulary = vocabulary;
    this.encoder = encoder;
    this.out = out;
    this.progressSeconds = progressSeconds;
    List<Long> list = new ArrayList<>();
    for (int u = 0; u < split.userCount(); u++) {
      int length = split.trainingItems(u).length;
      for (int t = 1; t < length; t++) {
        list.add(((long) u << 32) | t);
      }
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("no training example (every user has < 2 items)");
    }
    this.examples = list.stream().mapToLong(Long::longValue).toArray();
    this.negativeSampler = config.negativeSampling().sampler(split);
  }

  /** Tests: the first computation of this step gets a NaN in one gradient (a transient fault). */
  void corruptGradientOnce(long step) {
    this.corruptGradientAtStep = step;
  }

  /** Training examples per epoch. */
  public int examplesPerEpoch() {
    return examples.length;
  }

  /**
   * What phase 2 produced: the encoder (in place, holding the best epoch's parameters), the head,
   * the memory state built with that encoder, and the config.
   */
  public record Result(
      GladConfig config,
      HeadWeights head,
      ClusterNodes clusters,
      List<CurvePoint> curve,
      double bestEpoch,
      double trainingSeconds,
      double examplesPerSecond,
      String stopReason) {}

  /** Runs phase 2. */
  public Result train() {
    SequenceEncoder borrowed = SequenceEncoder.borrowing(encoder);
    leakTable = config.leakTarget() && variant.hasMemory() ? itemTable() : null;
    int c = encoderConfig.chunkSize();
    long start = System.nanoTime();
    TrainingMemory memory = null;
    if (variant.hasMemory()) {
      memory =
          TrainingMemory.build(borrowed, split, variant, options, c, null, config.loop().seed());
      out.printf(
          Locale.ROOT,
          "Memory: %d complete chunks of %d items from %d users -> %d nodes (%s), built in %.1f"
              + " s%n",
          memory.chunkCount(),
          c,
          memory.usersWithMemory(),
          memory.clusterCount(),
          variant.clustered() ? "k-means clusters" : "unique chunks",
          (System.nanoTime() - start) / 1e9);
    }
    GladConfig gladConfig =
        new GladConfig(encoderConfig, variant, memory == null ? 0 : memory.clusterCount(), options);
    int perEpoch =
        config.maxExamplesPerEpoch() > 0
            ? Math.min(config.maxExamplesPerEpoch(), examples.length)
            : examples.length;
    // the schedule spans the steps actually taken (capped epochs included)
    long totalSteps =
        (long) config.loop().epochs()
            * ((perEpoch + config.loop().batchSize() - 1) / config.loop().batchSize());
    LearningRateSchedule schedule =
        new LearningRateSchedule(
            config.loop().learningRate(),
            Math.min(totalSteps - 1, totalSteps / 20),
            Math.max(2, totalSteps));
    try (NDManager headManager = encoder.manager().newSubManager();
        NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
      GladHead head =
          variant.hasMemory()
              ? GladHead.create(
                  gladConfig, headManager, config.loop().seed(), config.zeroNeighbourInit())
              : null;
      Map<String, Parameter> headParameters = trainableHeadParameters(head);
      Map<String, Parameter> encoderParameters = SparseTokenTable.denseParameters(encoder);
      boolean trainEncoder = config.encoderLearningRateScale() > 0;
      AdamW encoderOptimizer =
          trainEncoder
              ? new AdamW(encoder.manager(), encoderParameters, config.loop().weightDecay())
              : null;
      SparseTokenTable tokenTable =
          trainEncoder ? new SparseTokenTable(encoder, config.loop().weightDecay()) : null;
      AdamW headOptimizer =
          head == null ? null : new AdamW(headManager, headParameters, config.loop().weightDecay());
      Evaluator evaluator =
          Evaluator.forValidation(split, config.loop().seed(), config.loop().evalUsers());
      List<CurvePoint> curve = new ArrayList<>();
      EarlyStopping stopping = new EarlyStopping(config.loop());
      NDList bestEncoder = null;
      HeadWeights bestHead = null;
      float[][] bestCentroids = null;
      String stopReason = stopping.completedReason();
      double trainingSeconds = 0;
      long trainedExamples = 0;
      long step = 0;
      skippedSteps = 0;
      ProgressMeter meter = new ProgressMeter(out, progressSeconds, System.nanoTime());
      boolean stop = false;
      for (int epoch = 0; epoch < config.loop().epochs() && !stop; epoch++) {
        long[] order = shuffled(epoch);
        int batches = (order.length + config.loop().batchSize() - 1) / config.loop().batchSize();
        long epochStart = System.nanoTime();
        double lossSum = 0;
        long epochExamples = 0;
        for (int bi = 0; bi < batches; bi++) {
          int from = bi * config.loop().batchSize();
          int to = Math.min(order.length, from + config.loop().batchSize());
          long[] batch = java.util.Arrays.copyOfRange(order, from, to);
          float loss =
              trainStep(
                  head,
                  memory,
                  batch,
                  step,
                  encoderParameters,
                  headParameters,
                  encoderOptimizer,
                  tokenTable,
                  headOptimizer,
                  schedule.rate(step));
          if (!Float.isFinite(loss)) {
            throw new IllegalStateException(
                "loss became " + loss + " at step " + step + "; lower --lr");
          }
          step++;
          lossSum += loss * batch.length;
          epochExamples += batch.length;
          long now = System.nanoTime();
          double epochSeconds = (now - epochStart) / 1e9;
          double rateExamples = epochExamples / Math.max(1e-9, epochSeconds);
          double eta = (totalSteps - step) * epochSeconds / (bi + 1);
          meter.step(
              now, loss, epoch + 1, config.loop().epochs(), bi + 1, batches, rateExamples, eta);
          if (stopping.timeUp(trainingSeconds + epochSeconds)) {
            stopReason = stopping.stopReason(trainingSeconds + epochSeconds).orElseThrow();
            stop = true;
            break;
          }
        }
        double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
        trainingSeconds += epochSeconds;
        trainedExamples += epochExamples;
        if (tokenTable != null) {
          tokenTable.writeTo(encoder);
        }
        if (leakTable != null) {
          leakTable = itemTable();
        }
        if (memory != null) {
          memory =
              TrainingMemory.build(
                  borrowed, split, variant, options, c, memory.centroids(), config.loop().seed());
        }
        double hr = Double.NaN;
        double ndcg = Double.NaN;
        double epochDone = epoch + (double) epochExamples / order.length;
        if (evaluator != null) {
          GladScorer scorer = scorer(borrowed, head, memory, gladConfig);
          EvaluationResult validation =
              evaluator.evaluate(scorer, NegativeProtocol.POPULARITY, done -> {});
          hr = validation.get("HR@10");
          ndcg = validation.get("NDCG@10");
        }
        if (stopping.record(epochDone, ndcg)) {
          if (bestEncoder != null) {
            bestEncoder.close();
          }
          bestEncoder = encoder.copyParameters(cpu);
          bestHead = head == null ? null : head.toWeights();
          bestCentroids = memory == null ? null : memory.centroids();
        }
        CurvePoint point =
            new CurvePoint(
                epochDone,
                lossSum / Math.max(1, epochExamples),
                hr,
                ndcg,
                trainingSeconds,
                epochExamples / Math.max(1e-9, epochSeconds));
        curve.add(point);
        out.printf(
            Locale.ROOT,
            "epoch %.2f done: loss %.4f, %s, %.0f examples/s, %s elapsed%n",
            epochDone,
            point.trainLoss(),
            ProgressMeter.validation(hr, ndcg, evaluator == null ? 0 : evaluator.userCount()),
            point.samplesPerSecond(),
            ProgressMeter.formatDuration(trainingSeconds));
        if (!stop && stopping.stopReason(trainingSeconds).isPresent()) {
          stopReason = stopping.stopReason(trainingSeconds).get();
          stop = true;
        }
      }
      encoder.setParameters(bestEncoder);
      bestEncoder.close();
      ClusterNodes clusters = null;
      if (variant.hasMemory()) {
        // The best epoch's memory, rebuilt deterministically from its encoder and centroids.
        memory =
            TrainingMemory.build(
                borrowed, split, variant, options, c, bestCentroids, config.loop().seed());
        GraphMemoryMath math = GraphMemoryMath.of(options, bestHead, borrowed, vocabulary);
        clusters = memory.clusterState(math);
      }
      if (encoderOptimizer != null) {
        encoderOptimizer.close();
      }
      if (headOptimizer != null) {
        headOptimizer.close();
      }
      return new Result(
          gladConfig,
          bestHead,
          clusters,
          List.copyOf(curve),
          stopping.bestEpoch(),
          trainingSeconds,
          trainedExamples / Math.max(1e-9, trainingSeconds),
          stopReason);
    }
  }

  /** A scorer over the current encoder, head and memory (validation). */
  GladScorer scorer(
      SequenceEncoder borrowed, GladHead head, TrainingMemory memory, GladConfig gladConfig) {
    if (head == null) {
      return new GladScorer(borrowed, null, null, gladConfig, false);
    }
    GraphMemoryMath math = GraphMemoryMath.of(options, head.toWeights(), borrowed, vocabulary);
    OfflineMemoryBuilder builder =
        new OfflineMemoryBuilder(borrowed, math, memory.clusterState(math), gladConfig);
    GladScorer scorer = new GladScorer(borrowed, head, builder, gladConfig, true);
    scorer.leakTarget(config.leakTarget());
    return scorer;
  }

  private Map<String, Parameter> trainableHeadParameters(GladHead head) {
    Map<String, Parameter> map = new LinkedHashMap<>();
    if (head == null) {
      return map;
    }
    // The attentive READ form without the target-free terms never uses the user-side layers (SAGE
    // uses both in its attentive layer).
    boolean targetFreeUnused =
        variant.attentive()
            && options.attentiveLayer() == GladOptions.AttentiveLayer.READ
            && options.auxiliaryLossWeight() == 0f
            && options.longTermLossWeight() == 0f;
    for (var entry : head.parameters().entrySet()) {
      if (targetFreeUnused && entry.getKey().startsWith("userLayer")) {
        continue;
      }
      map.put(entry.getKey(), entry.getValue());
    }
    return map;
  }

  /** The epoch's examples: all of them shuffled, or a fresh random subset when capped. */
  private long[] shuffled(int epoch) {
    long[] order = examples.clone();
    SplittableRandom random = new SplittableRandom(mix(config.loop().seed(), epoch, 11));
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      long t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    if (config.maxExamplesPerEpoch() > 0 && config.maxExamplesPerEpoch() < order.length) {
      return java.util.Arrays.copyOf(order, config.maxExamplesPerEpoch());
    }
    return order;
  }

  /**
   * One step: forward, backward and the optimiser updates, all inside one NDScope so every
   * temporary (the optimiser's too) is freed when it ends.
   */
  private float trainStep(
      GladHead head,
      TrainingMemory memory,
      long[] batch,
      long step,
      Map<String, Parameter> encoderParameters,
      Map<String, Parameter> headParameters,
      AdamW encoderOptimizer,
      SparseTokenTable tokenTable,
      AdamW headOptimizer,
      float rate) {
    int b = batch.length;
    int c = encoderConfig.chunkSize();
    int e = encoderConfig.hiddenSize();
    int candidates = config.negatives() + 1;
    int[][] rows = new int[b][];
    long[] ids = new long[b * candidates];
    List<TrainingMemory.Neighbours> views = new ArrayList<>(b);
    int[] users = new int[b];
    SplittableRandom random = new SplittableRandom(mix(config.loop().seed(), step, 7));
    for (int r = 0; r < b; r++) {
      int user = (int) (batch[r] >>> 32);
      users[r] = user;
      int t = (int) batch[r];
      int[] items = split.trainingItems(user);
      rows[r] = java.util.Arrays.copyOfRange(items, Math.max(0, t - c), t);
      int target = items[t];
      ids[r * candidates] = target;
      for (int k = 1; k < candidates; k++) {
        int negative;
        do {
          negative = negativeSampler.draw(random);
        } while (negative == target);
        ids[r * candidates + k] = negative;
      }
      views.add(
          memory == null
              ? null
              : leakTable != null
                  ? memory.viewWithLeakedNode(user, t / c, leakTable[target])
                  : memory.view(user, t / c));
    }
    int width = TokenBatch.width(rows, true, encoderConfig.maxLength());
    long[] tokens = TokenBatch.rightAligned(rows, width, true);
    FreshMemoryChunks fresh =
        memory != null && config.memoryGradientChunks() > 0
            ? FreshMemoryChunks.plan(memory, split, users, views, config.memoryGradientChunks())
            : null;
    long[] chunkTokens = fresh == null ? new long[0] : fresh.tokens(encoderConfig.maxLength());
    StepRows stepRows =
        tokenTable == null
            ? StepRows.all(encoderConfig.tokenCount())
            : new StepRows.Builder(encoderConfig.tokenCount())
                .addAll(tokens)
                .addAll(ids)
                .addAll(chunkTokens)
                .build();
    for (int attempt = 1; ; attempt++) {
      // the same seed on a recomputation: the same dropout masks, so the same step
      Engine.getInstance().setRandomSeed((int) mix(config.loop().seed(), step, 0));
      try (NDScope scope = new NDScope();
          NDManager manager = encoder.manager().newSubManager()) {
        scope.suppressNotUsedWarning();
        NDArray tokenArray =
            EngineArrays.create(manager, stepRows.local(tokens), new Shape(b, width));
        NDArray idArray =
            EngineArrays.create(manager, stepRows.local(ids), new Shape(b, candidates));
        SparseTokenTable.Step rowsOfStep =
            tokenTable == null ? null : tokenTable.begin(stepRows, manager);
        float lossValue;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          // a frozen encoder's table and bias take no gradient (stopGradient)
          NDArray table =
              rowsOfStep != null
                  ? rowsOfStep.table()
                  : encoder
                      .block()
                      .tokenEmbeddings(encoder.parameterStore(), tokenArray)
                      .stopGradient();
          NDArray hidden =
              encoder.block().forward(encoder.parameterStore(), tokenArray, table, true);
          NDArray z = hidden.get(":, -1, :");
          NDArray bias =
              (rowsOfStep != null
                      ? rowsOfStep.bias()
                      : encoder.block().outputBias(encoder.parameterStore(), z).stopGradient())
                  .reshape(-1, 1);
          NDArray items = Embedding.embedding(idArray, table, SparseFormat.DENSE).head();
          NDArray itemBiases =
              Embedding.embedding(idArray, bias, SparseFormat.DENSE).head().squeeze(2);
          NDArray loss;
          if (head == null) {
            NDArray scores = items.batchMatMul(z.expandDims(2)).squeeze(2).add(itemBiases);
            loss = crossEntropyOfFirst(scores);
          } else {
            NDArray[] m = TrainingMemory.tensors(views, e, manager);
            if (fresh != null) {
              // hypothesis (b): the memory chunks encoded now, without dropout as the memory is
              NDArray chunkArray =
                  EngineArrays.create(
                      manager,
                      stepRows.local(chunkTokens),
                      new Shape(fresh.chunkCount(), fresh.width(encoderConfig.maxLength())));
              NDArray chunkStates =
                  encoder.block().forward(encoder.parameterStore(), chunkArray, table, false);
              m = fresh.apply(m, chunkStates.get(":, -1, :"), manager);
            }
            NDArray clusterHidden = head.clusterHidden(m[2], m[3], m[4]);
            NDArray hU1 = head.userHidden(m[1], m[2], m[5]);
            NDArray longTerm = head.userLongTerm(hU1, clusterHidden, m[5]);
            NDArray targetFree =
                head.scores(z, m[0], longTerm, null, null, null, items, itemBiases).head();
            if (variant.attentive()) {
              NDArray attentive =
                  head.scores(z, m[0], null, hU1, clusterHidden, m[5], items, itemBiases).head();
              loss = crossEntropyOfFirst(attentive);
              if (options.auxiliaryLossWeight() > 0f) {
                NDArray auxiliary = crossEntropyOfFirst(targetFree);
                loss =
                    loss.add(
                        auxiliary.mul(
                            EngineArrays.scalar(auxiliary, options.auxiliaryLossWeight())));
              }
            } else {
              loss = crossEntropyOfFirst(targetFree);
            }
            if (options.longTermLossWeight() > 0f) {
              loss = loss.add(longTermAloneLoss(longTerm, m[0], items, itemBiases));
            }
          }
          collector.backward(loss);
          lossValue = loss.getFloat();
        }
        if (step == corruptGradientAtStep && attempt == 1) {
          encoderParameters
              .values()
              .iterator()
              .next()
              .getArray()
              .getGradient()
              .set(new NDIndex("0"), Float.NaN);
        }
        boolean applied =
            update(
                encoderParameters,
                headParameters,
                encoderOptimizer,
                tokenTable,
                rowsOfStep,
                headOptimizer,
                rate,
                step,
                attempt);
        if (applied || attempt == ClozeTrainer.STEP_ATTEMPTS) {
          return lossValue;
        }
      }
    }
  }

  /**
   * Clips and applies the step's gradients; false when they are not finite (then they are zeroed
   * and reported: the caller recomputes the step once, as in {@link ClozeTrainer}, and after that
   * the step is skipped and counted).
   */
  private boolean update(
      Map<String, Parameter> encoderParameters,
      Map<String, Parameter> headParameters,
      AdamW encoderOptimizer,
      SparseTokenTable tokenTable,
      SparseTokenTable.Step rowsOfStep,
      AdamW headOptimizer,
      float rate,
      long step,
      int attempt) {
    float encoderNorm =
        (float)
            Math.sqrt(
                AdamW.squaredGradientNorm(encoderParameters)
                    + (rowsOfStep == null ? 0 : rowsOfStep.squaredGradientNorm()));
    float headNorm =
        headOptimizer == null ? 0f : (float) Math.sqrt(AdamW.squaredGradientNorm(headParameters));
    // A non-finite gradient would turn every weight into NaN through the clip scale.
    if (!Float.isFinite(encoderNorm) || !Float.isFinite(headNorm)) {
      boolean last = attempt == ClozeTrainer.STEP_ATTEMPTS;
      skippedSteps += last ? 1 : 0;
      out.printf(
          Locale.ROOT,
          "step %d, attempt %d: non-finite gradient norm (encoder %s, head %s)%s: %s%n",
          step,
          attempt,
          encoderNorm,
          headNorm,
          last ? ", step skipped (" + skippedSteps + " so far)" : ", recomputing",
          GradientReport.nonFinite(encoderParameters, headParameters, rowsOfStep));
      AdamW.zeroGradients(encoderParameters);
      AdamW.zeroGradients(headParameters);
      return false;
    }
    if (encoderOptimizer != null) {
      float scale = AdamW.clipScale(encoderNorm, config.loop().gradientClipNorm());
      if (scale != 1f) {
        AdamW.scaleGradients(encoderParameters, scale);
      }
      float encoderRate = rate * config.encoderLearningRateScale();
      encoderOptimizer.update(encoderParameters, encoderRate);
      tokenTable.update(rowsOfStep, scale, encoderRate);
    } else {
      AdamW.zeroGradients(encoderParameters);
    }
    if (headOptimizer != null) {
      AdamW.clipGradients(headParameters, config.loop().gradientClipNorm());
      headOptimizer.update(headParameters, rate);
    }
    return true;
  }

  /** The encoder's current item embedding table E as rows (the target leak's nodes). */
  private float[][] itemTable() {
    int e = encoderConfig.hiddenSize();
    for (var p : encoder.parameters().entrySet()) {
      if (p.getKey().endsWith(SparseTokenTable.TABLE)) {
        float[] flat = p.getValue().getArray().toFloatArray();
        float[][] table = new float[flat.length / e][];
        for (int i = 0; i < table.length; i++) {
          table[i] = java.util.Arrays.copyOfRange(flat, i * e, (i + 1) * e);
        }
        return table;
      }
    }
    throw new IllegalStateException("the encoder has no token embedding table");
  }

  /**
   * The long-term-alone term: eq. 7 for scores {@code h_U^L · h_T (+ b_T)}, averaged over the
   * examples with memory, times {@code longTermLossWeight}.
   */
  private NDArray longTermAloneLoss(
      NDArray longTerm, NDArray hasMemory, NDArray items, NDArray itemBiases) {
    NDArray scores = items.batchMatMul(longTerm.expandDims(2)).squeeze(2);
    if (options.itemBias()) {
      scores = scores.add(itemBiases);
    }
    NDArray perExample = scores.logSoftmax(1).get(":, 0").neg().mul(hasMemory.squeeze(1));
    NDArray mean = perExample.sum().div(hasMemory.sum().maximum(1f));
    return mean.mul(EngineArrays.scalar(mean, options.longTermLossWeight()));
  }

  /** Eq. 7 with the positive in column 0: mean of {@code -log softmax(s)_0}. */
  static NDArray crossEntropyOfFirst(NDArray scores) {
    return scores.logSoftmax(1).get(":, 0").mean().neg();
  }

  /** The shared seed mixer of the trainers. */
  static long mix(long a, long b, long c) {
    return ClozeTrainer.mix(a, b, c);
  }
}
