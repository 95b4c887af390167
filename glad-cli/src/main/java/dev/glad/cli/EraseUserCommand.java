package dev.glad.cli;

import dev.glad.schemas.DeletionAudit;
import dev.glad.schemas.DeletionOutcome;
import dev.glad.schemas.kafka.GladTopics;
import dev.glad.schemas.settings.DurationText;
import dev.glad.tools.erasure.UserErasure;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./glad erase-user}: asks the running job to erase one user and prints its audit record.
 */
@Command(
    name = "erase-user",
    mixinStandardHelpOptions = true,
    description =
        "Publishes a deletion request for one user to the user-deletions topic and waits for the"
            + " job's audit of it (what was removed). Exit 0: erased (or nothing was held); 1: the"
            + " job rejected the request; 2: no audit within --wait.")
final class EraseUserCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT")
  String bootstrapServers;

  @Option(names = "--topic-prefix", defaultValue = GladTopics.DEFAULT_PREFIX)
  String topicPrefix;

  @Option(names = "--user", required = true, paramLabel = "USER_ID")
  String userId;

  @Option(
      names = "--request-id",
      paramLabel = "ID",
      description = "your id for the request, repeated in the audit (default: a random UUID)")
  String requestId;

  @Option(
      names = "--wait",
      defaultValue = "2m",
      paramLabel = "DURATION",
      description = "how long to wait for the audit (default: ${DEFAULT-VALUE})")
  String wait;

  @CommandLine.Mixin KafkaClientOptions kafka;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String id = requestId != null ? requestId : UUID.randomUUID().toString();
    GladTopics topics = GladTopics.withPrefix(topicPrefix);
    Optional<DeletionAudit> audit =
        new UserErasure(topics, kafka.config().properties(bootstrapServers))
            .erase(userId, id, DurationText.parse("--wait", wait));
    if (audit.isEmpty()) {
      out.println(
          "request "
              + id
              + " for user "
              + userId
              + " is on "
              + topics.userDeletions().name()
              + ", but no audit came within "
              + wait
              + " (is the job running?); it is carried out when the job reads it");
      return 2;
    }
    DeletionAudit a = audit.get();
    out.println(a.getOutcome() + "  user " + a.getUserId() + "  request " + a.getRequestId());
    out.println("  " + a.getDetail());
    return a.getOutcome() == DeletionOutcome.MALFORMED ? 1 : 0;
  }
}
