package io.vmsaga.functions.migration;

import io.vmsaga.functions.saga.Faults;
import io.vmsaga.functions.tenant.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Inputs;
import io.vmsaga.functions.web.Replies;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /coldMigrateVm}: moves a VM with its local disks to another node — stopped, copied, started
 * there (if it ran). Until it runs on the target a failure leaves it on its source as it was.
 */
@Component("coldMigrateVm")
public class ColdMigrateVm implements Function<Message<ColdMigrateVm.Request>, Message<?>> {
    /** Disk copies take as long as the disks are large. */
    static final Duration TIMEOUT_TO_FAIL = Duration.ofMinutes(30);
    static final Set<String> STEPS = Set.of("reserveMigrationTarget", "stopSourceVm", "copyDisks", "startTargetVm",
            "updateVmNode", "cleanUpSource", "releaseSourceReservation");

    public record Request(String vmId, String targetNodeId, boolean awaitResult, Map<String, String> faults,
            Integer timeoutToFailSeconds) {
    }

    private final Tenants tenants;
    private final Moves moves;
    private final Faults faults;

    public ColdMigrateVm(Tenants tenants, Moves moves, Faults faults) {
        this.tenants = tenants;
        this.moves = moves;
        this.faults = faults;
    }

    @Override
    public Message<?> apply(Message<Request> message) {
        var caller = tenants.caller(message).orElse(null);
        if (caller == null) {
            return Replies.unauthorized();
        }
        Request r = Inputs.typed(message, Request.class).orElse(null);
        if (r == null) {
            return Inputs.malformed();
        }
        var check = new Check()
                .matches(r.vmId(), Check.ID, "vmId", true)
                .matches(r.targetNodeId(), Check.ID, "targetNodeId", true);
        faults.check(check, r.faults(), r.timeoutToFailSeconds(), STEPS);
        if (check.failed()) {
            return check.reply();
        }
        return moves.start(caller, new Moves.Order(r.vmId(), r.targetNodeId(), MigrationPlan.COLD, null,
                r.awaitResult(), r.faults(), faults.timeout(r.timeoutToFailSeconds(), TIMEOUT_TO_FAIL)),
                ColdMigrateVmSaga::of);
    }
}
