package io.vmsaga.functions.networks;

import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.networks.CreateNetwork.Response;
import io.vmsaga.functions.web.Replies;

/** What createNetwork and deleteNetwork answer: 200 done, 202 under way, 409 with the reason. */
final class Networks {
  private Networks() {}

  static org.springframework.messaging.Message<?> answer(
      Sagas sagas, Response submitted, boolean awaitResult, String verb) {
    String gid = submitted.gid();
    String status = sagas.status(gid, awaitResult);
    var response = new Response(submitted.networkId(), gid, status, sagas.adminUrl(gid));
    return Sagas.reply(
        status,
        response,
        () ->
            sagas.failed(
                gid,
                new Replies.Error(verb + "_failed", "the " + verb + " saga failed; see dtmUrl"),
                "network",
                response));
  }
}
