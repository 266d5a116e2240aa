package io.vmsaga.functions.vm;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmsaga.functions.dtm.DtmClient;
import io.vmsaga.functions.dtm.Saga;
import io.vmsaga.functions.dtm.Transaction;
import io.vmsaga.functions.saga.Branches;
import java.time.Duration;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Submits sagas to DTM and reads their outcome, for the triggers. */
@Component
public class Sagas {
    private final DtmClient dtm;
    private final Branches branches;
    private final ObjectMapper json;
    private final String functionsUrl;
    private final String dtmUrl;

    public Sagas(DtmClient dtm, Branches branches, ObjectMapper json, @Value("${vmsaga.functions-url}") String functionsUrl,
            @Value("${vmsaga.dtm-url}") String dtmUrl) {
        this.dtm = dtm;
        this.branches = branches;
        this.json = json;
        this.functionsUrl = functionsUrl;
        this.dtmUrl = dtmUrl;
    }

    public String newGid() {
        return dtm.newGid();
    }

    public void submit(Saga saga) {
        dtm.submit(saga.toRequest(functionsUrl, branches.headers(), json));
    }

    public Optional<Transaction> find(String gid) {
        return dtm.query(gid);
    }

    /** True while DTM still works on the saga: it owns what it touches until then. */
    public boolean live(String gid) {
        return find(gid).map(t -> !t.finished()).orElse(false);
    }

    /** Waits until the saga finished, or the deadline passed; answers what DTM reports last. */
    public Optional<Transaction> await(String gid, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        Optional<Transaction> last = find(gid);
        while (last.map(t -> !t.finished()).orElse(true) && System.nanoTime() < end) {
            io.vmsaga.functions.saga.Faults.pause(25);
            last = find(gid);
        }
        return last;
    }

    /** Where the DTM admin UI shows this saga, step by step. */
    public String adminUrl(String gid) {
        return dtmUrl + "/admin/global-transactions/detail/" + gid;
    }
}
