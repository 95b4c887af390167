package dev.glad.cli;

import dev.glad.model.encoder.EncoderConfig;
import dev.glad.model.memory.GladOptions;
import dev.glad.model.memory.GladVariant;
import dev.glad.model.memory.HeadActivation;
import dev.glad.model.train.GladTrainingConfig;
import dev.glad.model.train.SoftmaxMode;
import dev.glad.model.train.TrainingConfig;
import dev.glad.model.train.TrainingLoop;
import dev.glad.model.workflow.EncoderTraining;
import dev.glad.model.workflow.GladTraining;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./glad train}: phase 1 (the Bert4Rec encoder, Cloze training; {@code --variant bert4rec},
 * the default) or GLAD's end-to-end training of a variant on top of a phase-1 encoder ({@code
 * --variant S|G|GC|GCA --encoder DIR}). It parses flags and calls {@link EncoderTraining} or {@link
 * GladTraining}; every default is the library's (shown in the help from its constants).
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Phase 1: train the Bert4Rec encoder with Cloze (--variant bert4rec, the default).",
      "GLAD: train the graph memory, GNN and gate of a variant end to end on a phase-1 encoder",
      "(--variant S|G|GC|GCA --encoder DIR); this writes the artifact the stream runs."
    })
final class TrainCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin DataFileOptions input;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "artifact to write")
  Path out;

  @Option(
      names = "--variant",
      paramLabel = "V",
      defaultValue = "bert4rec",
      converter = Converters.Variant.class,
      description = "bert4rec (phase 1), or S (fine-tune, no memory), G, GC or GCA (GLAD)")
  GladVariant variant;

  @ArgGroup(validate = false, heading = "%nTraining loop (both phases):%n")
  Loop loop = new Loop();

  @ArgGroup(validate = false, heading = "%nPhase 1 (bert4rec) only:%n")
  Encoder encoder = new Encoder();

  @ArgGroup(validate = false, heading = "%nGLAD variants only:%n")
  Memory memory = new Memory();

  @Option(names = "--chunk", paramLabel = "N", description = Help.CHUNK)
  Integer chunk;

  @Option(names = "--curve-png", paramLabel = "FILE", description = "also plot the curve here")
  Path curvePng;

  @Option(
      names = "--device",
      defaultValue = "auto",
      description = "auto|cpu|gpu|gpu:N (falls back to the CPU)")
  String device;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "PyTorch intra-op threads (0 = all cores)")
  int threads;

  @Option(
      names = "--progress-seconds",
      defaultValue = "30",
      description = "interval of progress lines")
  double progressSeconds;

  /** The loop settings; unset ones keep the phase's default (shown). */
  static final class Loop {
    @Option(names = "--epochs", paramLabel = "N", description = Help.EPOCHS)
    Integer epochs;

    @Option(names = "--batch", paramLabel = "N", description = Help.BATCH)
    Integer batch;

    @Option(names = "--lr", paramLabel = "X", description = Help.LR)
    Float learningRate;

    @Option(names = "--weight-decay", paramLabel = "X", description = Help.WEIGHT_DECAY)
    Float weightDecay;

    @Option(names = "--clip", paramLabel = "X", description = Help.CLIP)
    Float clip;

    @Option(names = "--seed", paramLabel = "N", description = Help.SEED)
    Long seed;

    @Option(names = "--eval-users", paramLabel = "N", description = Help.EVAL_USERS)
    Integer evalUsers;

    @Option(names = "--patience", paramLabel = "N", description = Help.PATIENCE)
    Integer patience;

    @Option(
        names = "--time-limit",
        paramLabel = "MIN",
        description = "stop after this many minutes of training, keeping the best (0 = off)")
    Float timeLimitMinutes;

    <B extends TrainingLoop.Builder<B>> void applyTo(B b) {
      set(epochs, b::optEpochs);
      set(batch, b::optBatchSize);
      set(learningRate, b::optLearningRate);
      set(weightDecay, b::optWeightDecay);
      set(clip, b::optGradientClipNorm);
      set(seed, b::optSeed);
      set(evalUsers, b::optEvalUsers);
      set(patience, b::optPatience);
      set(
          timeLimitMinutes == null ? null : (long) Math.round(timeLimitMinutes * 60),
          b::optTimeLimitSeconds);
    }
  }

  /** Phase 1's own settings. */
  static final class Encoder {
    @Option(names = "--dim", paramLabel = "N", description = Help.DIM)
    Integer dim;

    @Option(names = "--layers", paramLabel = "N", description = Help.LAYERS)
    Integer layers;

    @Option(names = "--heads", paramLabel = "N", description = Help.HEADS)
    Integer heads;

    @Option(names = "--inner", paramLabel = "N", description = "feed-forward width (4 * dim)")
    Integer inner;

    @Option(names = "--max-len", paramLabel = "N", description = Help.MAX_LEN)
    Integer maxLength;

    @Option(names = "--dropout", paramLabel = "P", description = Help.DROPOUT)
    Float dropout;

    @Option(names = "--attention-dropout", paramLabel = "P", description = Help.ATTENTION_DROPOUT)
    Float attentionDropout;

    @Option(names = "--warmup", paramLabel = "X", description = Help.WARMUP)
    Float warmup;

    @Option(names = "--mask-prob", paramLabel = "P", description = Help.MASK_PROB)
    Float maskProbability;

    @Option(names = "--no-last-item", description = "no extra samples that mask only the last item")
    boolean noLastItem;

    @Option(
        names = "--with-validation-item",
        description = {
          "train on every item but the test target, as BERT4Rec's published numbers did;",
          "needs --eval-users -1: take the epoch count from a run with validation"
        })
    boolean withValidationItem;

    @Option(
        names = "--softmax",
        paramLabel = "full|sampled|mixed",
        converter = Converters.Softmax.class,
        description = Help.SOFTMAX)
    SoftmaxMode softmax;

    @Option(
        names = "--negatives-per-batch",
        paramLabel = "N",
        description = Help.NEGATIVES_PER_BATCH)
    Integer sampledNegatives;

    @Option(
        names = "--checkpoint-dir",
        paramLabel = "DIR",
        description = "checkpoints; a rerun resumes from them (default: OUT.checkpoint)")
    Path checkpointDir;

    @Option(names = "--checkpoint-minutes", paramLabel = "M", description = Help.CHECKPOINT_MINUTES)
    Float checkpointMinutes;

    List<String> given() {
      return TrainCommand.given(
          new Object[][] {
            {dim, "--dim"},
            {layers, "--layers"},
            {heads, "--heads"},
            {inner, "--inner"},
            {maxLength, "--max-len"},
            {dropout, "--dropout"},
            {attentionDropout, "--attention-dropout"},
            {warmup, "--warmup"},
            {maskProbability, "--mask-prob"},
            {softmax, "--softmax"},
            {sampledNegatives, "--negatives-per-batch"},
            {checkpointDir, "--checkpoint-dir"},
            {checkpointMinutes, "--checkpoint-minutes"},
            {noLastItem ? true : null, "--no-last-item"},
            {withValidationItem ? true : null, "--with-validation-item"}
          });
    }
  }

  /** The GLAD variants' own settings. */
  static final class Memory {
    @Option(names = "--encoder", paramLabel = "DIR", description = "phase-1 encoder artifact")
    Path encoder;

    @Option(names = "--clustering-factor", paramLabel = "F", description = Help.CLUSTERING_FACTOR)
    Double clusteringFactor;

    @Option(
        names = "--activation",
        paramLabel = "A",
        converter = Converters.Activation.class,
        description = Help.ACTIVATION)
    HeadActivation activation;

    @Option(
        names = "--aggregation",
        paramLabel = "A",
        converter = Converters.Aggregation.class,
        description = Help.AGGREGATION)
    GladOptions.Aggregation aggregation;

    @Option(
        names = "--attention",
        paramLabel = "A",
        converter = Converters.Attention.class,
        description = Help.ATTENTION)
    GladOptions.AttentionNormalisation attention;

    @Option(
        names = "--attentive-layer",
        paramLabel = "L",
        converter = Converters.AttentiveLayer.class,
        description = Help.ATTENTIVE_LAYER)
    GladOptions.AttentiveLayer attentiveLayer;

    @Option(names = "--decay", paramLabel = "X", description = Help.DECAY)
    Float decay;

    @Option(names = "--kmeans-iterations", paramLabel = "N", description = Help.KMEANS_ITERATIONS)
    Integer kmeansIterations;

    @Option(names = "--aux-weight", paramLabel = "X", description = Help.AUX_WEIGHT)
    Float auxiliaryWeight;

    @Option(names = "--long-term-weight", paramLabel = "X", description = Help.LONG_TERM_WEIGHT)
    Float longTermWeight;

    @Option(
        names = "--no-item-bias",
        description = "score h.h_T without the encoder's output bias (paper eq. 4)")
    boolean noItemBias;

    @Option(names = "--encoder-lr-scale", paramLabel = "X", description = Help.ENCODER_LR_SCALE)
    Float encoderLearningRateScale;

    @Option(names = "--negatives", paramLabel = "N", description = Help.NEGATIVES)
    Integer negatives;

    @Option(names = "--max-examples", paramLabel = "N", description = Help.MAX_EXAMPLES)
    Integer maxExamples;

    @Option(
        names = "--leak-target",
        description = {
          "ANALYSIS ONLY: each example's memory also holds a node whose centroid is the target's",
          "own item embedding; the artifact is marked so the stream refuses it"
        })
    boolean leakTarget;

    @Option(
        names = "--zero-neighbour-init",
        description = {
          "start every GraphSAGE layer's neighbour block at zero instead of Glorot (with",
          "--activation identity an untrained h_U^L is then the mean of the user's chunk embeddings)"
        })
    boolean zeroNeighbourInit;

    @Option(
        names = "--train-negatives",
        paramLabel = "uniform|popularity",
        converter = Converters.TrainingNegatives.class,
        description = Help.TRAIN_NEGATIVES)
    dev.glad.model.train.TrainingNegatives trainNegatives;

    @Option(
        names = "--memory-gradient-chunks",
        paramLabel = "N",
        description = Help.MEMORY_GRADIENT_CHUNKS)
    Integer memoryGradientChunks;

    List<String> given() {
      return TrainCommand.given(
          new Object[][] {
            {encoder, "--encoder"},
            {clusteringFactor, "--clustering-factor"},
            {activation, "--activation"},
            {aggregation, "--aggregation"},
            {attention, "--attention"},
            {attentiveLayer, "--attentive-layer"},
            {decay, "--decay"},
            {kmeansIterations, "--kmeans-iterations"},
            {auxiliaryWeight, "--aux-weight"},
            {longTermWeight, "--long-term-weight"},
            {noItemBias ? true : null, "--no-item-bias"},
            {encoderLearningRateScale, "--encoder-lr-scale"},
            {negatives, "--negatives"},
            {maxExamples, "--max-examples"},
            {trainNegatives, "--train-negatives"},
            {memoryGradientChunks, "--memory-gradient-chunks"},
            {leakTarget ? true : null, "--leak-target"},
            {zeroNeighbourInit ? true : null, "--zero-neighbour-init"}
          });
    }
  }

  @Override
  public Integer call() {
    String commandLine =
        "glad train " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    if (variant == GladVariant.BERT4REC) {
      refuse(memory.given(), "GLAD variants (--variant S|G|GC|GCA)");
      encoderTraining(commandLine);
    } else {
      refuse(encoder.given(), "--variant bert4rec");
      if (memory.encoder == null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "Missing required option: '--encoder=DIR' (GLAD variants train on a phase-1 encoder)");
      }
      gladTraining(commandLine);
    }
    return 0;
  }

  /** The names of the options that were given, from {value, name} pairs (null = not given). */
  private static List<String> given(Object[][] valueAndName) {
    List<String> names = new ArrayList<>();
    for (Object[] pair : valueAndName) {
      if (pair[0] != null) {
        names.add((String) pair[1]);
      }
    }
    return names;
  }

  private void refuse(List<String> given, String appliesTo) {
    if (!given.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), given + " apply to " + appliesTo + " only");
    }
  }

  private void encoderTraining(String commandLine) {
    EncoderConfig.Builder shape = EncoderConfig.builder();
    set(encoder.dim, shape::optHiddenSize);
    set(encoder.layers, shape::optLayers);
    set(encoder.heads, shape::optHeads);
    set(encoder.inner, shape::optInnerSize);
    set(chunk, shape::optChunkSize);
    set(encoder.maxLength, shape::optMaxLength);
    set(encoder.dropout, shape::optHiddenDropout);
    set(encoder.attentionDropout, shape::optAttentionDropout);
    TrainingConfig.Builder training = TrainingConfig.builder();
    loop.applyTo(training);
    set(encoder.warmup, training::optWarmupFraction);
    set(encoder.maskProbability, training::optMaskProbability);
    training.optLastItemSamples(!encoder.noLastItem);
    training.optWithValidationItem(encoder.withValidationItem);
    set(encoder.softmax, training::optSoftmax);
    set(encoder.sampledNegatives, training::optSampledNegatives);
    set(
        encoder.checkpointMinutes == null
            ? null
            : Math.max(1L, Math.round(encoder.checkpointMinutes * 60)),
        training::optCheckpointSeconds);
    EncoderTraining.run(
        new EncoderTraining.Request(
            input.data,
            input.format,
            out,
            shape,
            training.build(),
            encoder.checkpointDir,
            device,
            threads,
            progressSeconds,
            curvePng,
            commandLine),
        Streams.out(spec));
  }

  private void gladTraining(String commandLine) {
    GladOptions.Builder options = GladOptions.builder();
    set(memory.clusteringFactor, options::optClusteringFactor);
    set(memory.activation, options::optActivation);
    set(memory.aggregation, options::optAggregation);
    set(memory.attention, options::optAttention);
    set(memory.attentiveLayer, options::optAttentiveLayer);
    set(memory.decay, options::optDecay);
    set(memory.kmeansIterations, options::optKmeansIterations);
    set(memory.auxiliaryWeight, options::optAuxiliaryLossWeight);
    set(memory.longTermWeight, options::optLongTermLossWeight);
    options.optItemBias(!memory.noItemBias);
    GladTrainingConfig.Builder training = GladTrainingConfig.builder();
    loop.applyTo(training);
    set(memory.encoderLearningRateScale, training::optEncoderLearningRateScale);
    set(memory.negatives, training::optNegatives);
    set(memory.maxExamples, training::optMaxExamplesPerEpoch);
    set(memory.trainNegatives, training::optNegativeSampling);
    set(memory.memoryGradientChunks, training::optMemoryGradientChunks);
    training.optLeakTarget(memory.leakTarget);
    training.optZeroNeighbourInit(memory.zeroNeighbourInit);
    GladTraining.run(
        new GladTraining.Request(
            variant,
            memory.encoder,
            input.data,
            input.format,
            out,
            chunk == null ? 0 : chunk,
            options.build(),
            training.build(),
            device,
            threads,
            progressSeconds,
            curvePng,
            commandLine),
        Streams.out(spec));
  }

  private static <T> void set(T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  /** Help texts that show the library's defaults (compile-time constants). */
  static final class Help {
    private Help() {}

    static final String CHUNK =
        "chunk size c the stream encodes (bert4rec: "
            + EncoderConfig.DEFAULT_CHUNK_SIZE
            + "; GLAD: the encoder's)";
    static final String EPOCHS =
        "epochs (bert4rec "
            + TrainingConfig.DEFAULT_EPOCHS
            + ", GLAD "
            + GladTrainingConfig.DEFAULT_EPOCHS
            + ")";
    static final String BATCH =
        "samples per step (bert4rec "
            + TrainingConfig.DEFAULT_BATCH_SIZE
            + ", GLAD "
            + GladTrainingConfig.DEFAULT_BATCH_SIZE
            + ")";
    static final String LR =
        "peak AdamW learning rate (bert4rec "
            + TrainingConfig.DEFAULT_LEARNING_RATE
            + "; GLAD, of the GNN and gate "
            + GladTrainingConfig.DEFAULT_LEARNING_RATE
            + ")";
    static final String WEIGHT_DECAY =
        "AdamW decoupled weight decay (bert4rec "
            + TrainingConfig.DEFAULT_WEIGHT_DECAY
            + ", GLAD "
            + GladTrainingConfig.DEFAULT_WEIGHT_DECAY
            + ")";
    static final String CLIP =
        "gradient norm limit, 0 = off (bert4rec "
            + TrainingConfig.DEFAULT_GRADIENT_CLIP_NORM
            + ", GLAD "
            + GladTrainingConfig.DEFAULT_GRADIENT_CLIP_NORM
            + ")";
    static final String SEED =
        "seed of everything random (bert4rec "
            + TrainingConfig.DEFAULT_SEED
            + ", GLAD "
            + GladTrainingConfig.DEFAULT_SEED
            + ")";
    static final String EVAL_USERS =
        "validation users per epoch, 0 = all, -1 = none (bert4rec "
            + TrainingConfig.DEFAULT_EVAL_USERS
            + ", GLAD "
            + GladTrainingConfig.DEFAULT_EVAL_USERS
            + ")";
    static final String PATIENCE =
        "early stop after N epochs without improvement, 0 = off (bert4rec "
            + TrainingConfig.DEFAULT_PATIENCE
            + ", GLAD "
            + GladTrainingConfig.DEFAULT_PATIENCE
            + ")";
    static final String DIM = "hidden size e (" + EncoderConfig.DEFAULT_HIDDEN_SIZE + ")";
    static final String LAYERS = "transformer layers (" + EncoderConfig.DEFAULT_LAYERS + ")";
    static final String HEADS = "attention heads (" + EncoderConfig.DEFAULT_HEADS + ")";
    static final String MAX_LEN =
        "longest input incl. the appended MASK (" + EncoderConfig.DEFAULT_MAX_LENGTH + ")";
    static final String DROPOUT = "hidden dropout (" + EncoderConfig.DEFAULT_HIDDEN_DROPOUT + ")";
    static final String ATTENTION_DROPOUT =
        "attention dropout (" + EncoderConfig.DEFAULT_ATTENTION_DROPOUT + ")";
    static final String WARMUP =
        "share of steps in linear warmup (" + TrainingConfig.DEFAULT_WARMUP_FRACTION + ")";
    static final String MASK_PROB =
        "Cloze mask probability (" + TrainingConfig.DEFAULT_MASK_PROBABILITY + ")";
    static final String SOFTMAX =
        "output normalisation; full = BERT4Rec's (" + TrainingConfig.DEFAULT_SOFTMAX + ")";
    static final String NEGATIVES_PER_BATCH =
        "sampled-softmax negatives shared by a batch ("
            + TrainingConfig.DEFAULT_SAMPLED_NEGATIVES
            + ")";
    static final String CHECKPOINT_MINUTES =
        "checkpoint interval in minutes (" + TrainingConfig.DEFAULT_CHECKPOINT_MINUTES + ")";
    static final String CLUSTERING_FACTOR =
        "chunks per cluster, K = chunks / F (" + GladOptions.DEFAULT_CLUSTERING_FACTOR + ")";
    static final String ACTIVATION =
        "sigmoid|tanh|relu|identity for eq. 1-2 (" + GladOptions.DEFAULT_ACTIVATION + ")";
    static final String AGGREGATION =
        "sum|mean neighbour aggregation (" + GladOptions.DEFAULT_AGGREGATION + ")";
    static final String ATTENTION =
        "dot|softmax normalisation of eq. 5 (" + GladOptions.DEFAULT_ATTENTION + ")";
    static final String ATTENTIVE_LAYER =
        "GCA: read (eq. 5 as printed) or sage (" + GladOptions.DEFAULT_ATTENTIVE_LAYER + ")";
    static final String DECAY =
        "sequential k-means step floor, 0 = MacQueen (" + GladOptions.DEFAULT_DECAY + ")";
    static final String KMEANS_ITERATIONS =
        "Lloyd iterations after k-means++ (" + GladOptions.DEFAULT_KMEANS_ITERATIONS + ")";
    static final String AUX_WEIGHT =
        "GCA: weight of the target-free layer-2 loss ("
            + GladOptions.DEFAULT_AUXILIARY_LOSS_WEIGHT
            + ")";
    static final String LONG_TERM_WEIGHT =
        "weight of the loss that scores items with h_U^L alone, so the published vector stands"
            + " on its own ("
            + GladOptions.DEFAULT_LONG_TERM_LOSS_WEIGHT
            + ")";
    static final String ENCODER_LR_SCALE =
        "encoder rate relative to --lr, 0 = frozen ("
            + GladTrainingConfig.DEFAULT_ENCODER_LEARNING_RATE_SCALE
            + ")";
    static final String NEGATIVES =
        "sampled negatives per example (" + GladTrainingConfig.DEFAULT_NEGATIVES + ")";
    static final String TRAIN_NEGATIVES =
        "how the negatives are drawn: uniform (the paper) or by training-item popularity ("
            + GladTrainingConfig.DEFAULT_NEGATIVE_SAMPLING
            + ")";
    static final String MEMORY_GRADIENT_CHUNKS =
        "re-encode each example's N most recent memory chunks in every step, so gradients reach"
            + " the memory's chunk embeddings; 0 = the memory is encoded once per epoch ("
            + GladTrainingConfig.DEFAULT_MEMORY_GRADIENT_CHUNKS
            + ")";
    static final String MAX_EXAMPLES =
        "fresh random subset of N examples per epoch, 0 = all ("
            + GladTrainingConfig.DEFAULT_MAX_EXAMPLES_PER_EPOCH
            + ")";
  }
}
