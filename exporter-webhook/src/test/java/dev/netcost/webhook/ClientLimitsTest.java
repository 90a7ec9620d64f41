package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientLimitsTest {
    /** A connection whose waiting time the test sets; eviction is recorded, and the test plays the close. */
    private static final class FakeClient implements ClientLimits.Client {
        final String name;
        long since;
        final List<String> evicted = new ArrayList<>();

        FakeClient(String name, long since) {
            this.name = name;
            this.since = since;
        }

        @Override
        public long waitingSince() {
            return since;
        }

        @Override
        public void evict(String limit) {
            evicted.add(limit);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final long ANSWERING = Long.MAX_VALUE;

    @Test
    void aConnectionBeyondTheCap_closesTheOneWaitingLongest_neverOneBeingAnswered() {
        ClientLimits limits = new ClientLimits(2, 1 << 20);
        FakeClient answered = new FakeClient("answered", ANSWERING);
        FakeClient idle = new FakeClient("idle", 200);
        assertThat(limits.open(answered)).isTrue();
        assertThat(limits.open(idle)).isTrue();

        FakeClient next = new FakeClient("next", 300);
        assertThat(limits.open(next)).isTrue();
        assertThat(idle.evicted).containsExactly(ClientLimits.CONNECTIONS);
        assertThat(answered.evicted).isEmpty();
        assertThat(limits.connections()).as("the evicted one counts until it has closed").isEqualTo(3);

        limits.closed(idle);
        assertThat(limits.connections()).isEqualTo(2);
    }

    @Test
    void aConnectionBeyondTheCap_isRefused_whenEveryClientIsBeingAnswered() {
        ClientLimits limits = new ClientLimits(1, 1 << 20);
        assertThat(limits.open(new FakeClient("a", ANSWERING))).isTrue();
        assertThat(limits.open(new FakeClient("b", 1))).isFalse();
        assertThat(limits.connections()).isEqualTo(1);
    }

    @Test
    void evictedConnections_stillCount_upToTwiceTheCap() {
        ClientLimits limits = new ClientLimits(1, 1 << 20);
        FakeClient first = new FakeClient("first", 1);
        assertThat(limits.open(first)).isTrue();
        assertThat(limits.open(new FakeClient("second", 2))).isTrue(); // evicts first, which has not closed yet
        assertThat(first.evicted).hasSize(1);
        assertThat(limits.open(new FakeClient("third", 3))).as("two connections are held already").isFalse();
        limits.closed(first);
        assertThat(limits.open(new FakeClient("fourth", 4))).isTrue();
    }

    @Test
    void anOrdinaryBodyThatDoesNotFit_closesTheSlowestUpload_aLargeOneIsRefused() {
        long budget = 1 << 20;
        ClientLimits limits = new ClientLimits(10, budget);
        FakeClient slowOld = new FakeClient("slow-old", 100);
        FakeClient slowNew = new FakeClient("slow-new", 200);
        FakeClient idleOlder = new FakeClient("idle-older", 50); // holds no body: closing it frees nothing
        FakeClient review = new FakeClient("review", 300);
        FakeClient large = new FakeClient("large", 300);
        for (FakeClient c : List.of(slowOld, slowNew, idleOlder, review, large)) {
            assertThat(limits.open(c)).isTrue();
        }
        assertThat(limits.reserve(slowOld, budget / 2)).isNotNull();
        assertThat(limits.reserve(slowNew, budget / 2)).isNotNull();

        assertThat(limits.reserve(large, ClientLimits.EVICTING_BODY_BYTES + 1)).isNull();
        assertThat(slowOld.evicted).isEmpty();

        ClientLimits.Lease small = limits.reserve(review, 4096);
        assertThat(small).isNotNull();
        assertThat(slowOld.evicted).containsExactly(ClientLimits.BODY_BYTES);
        assertThat(slowNew.evicted).isEmpty();
        assertThat(idleOlder.evicted).isEmpty();
        assertThat(limits.bytes()).as("the evicted upload's bytes count until released").isEqualTo(budget + 4096);
    }

    @Test
    void whatIsHeld_neverExceedsTwiceTheBudget_evenWhileEvictedClientsHaveNotClosed() {
        long budget = 256 * 1024;
        ClientLimits limits = new ClientLimits(100, budget);
        List<FakeClient> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            FakeClient c = new FakeClient("c" + i, i);
            clients.add(c);
            assertThat(limits.open(c)).isTrue();
            limits.reserve(c, budget / 4); // none of the evicted ones ever closes
            assertThat(limits.bytes()).isLessThanOrEqualTo(2 * budget);
        }
        assertThat(clients.stream().filter(c -> !c.evicted.isEmpty())).isNotEmpty();
    }

    @Test
    void anEvictedClient_getsNoBody_andSoClosesNoOtherClientToMakeRoom() {
        long budget = 64 * 1024;
        ClientLimits limits = new ClientLimits(1, budget);
        FakeClient evicted = new FakeClient("evicted", 1);
        FakeClient uploading = new FakeClient("uploading", 2);
        assertThat(limits.open(evicted)).isTrue();
        assertThat(limits.open(uploading)).isTrue(); // over the cap of 1: evicts the first, which has not closed yet
        assertThat(evicted.evicted).containsExactly(ClientLimits.CONNECTIONS);
        assertThat(limits.reserve(uploading, budget - 1024)).isNotNull();

        // Its close is pending, but a request head it sent before may still be read: its body must not
        // close the client that is still being served.
        assertThat(limits.reserve(evicted, 4096)).isNull();
        assertThat(uploading.evicted).isEmpty();
        assertThat(limits.bytes()).isEqualTo(budget - 1024);
    }

    @Test
    void aCompleteBody_isNeverEvicted_andItsBytesReturnWhenClosed() {
        long budget = 64 * 1024;
        ClientLimits limits = new ClientLimits(10, budget);
        FakeClient done = new FakeClient("done", 1);
        FakeClient next = new FakeClient("next", 2);
        limits.open(done);
        limits.open(next);
        ClientLimits.Lease decoded = limits.reserve(done, budget);
        decoded.detach(); // body complete: handed to a worker
        done.since = 1; // waiting again for its next request

        assertThat(limits.reserve(next, 1024)).as("nothing can be freed").isNull();
        assertThat(done.evicted).isEmpty();

        decoded.close();
        decoded.close();
        assertThat(limits.bytes()).isZero();
        assertThat(limits.reserve(next, 1024)).isNotNull();
    }

    @Test
    void aChunkedBody_growsItsLease_withinTheBudget() {
        ClientLimits limits = new ClientLimits(10, 10_000);
        FakeClient c = new FakeClient("c", 1);
        limits.open(c);
        ClientLimits.Lease l = limits.reserve(c, 1000);
        assertThat(l.grow(c, 8000)).isTrue();
        assertThat(l.bytes()).isEqualTo(9000);
        assertThat(l.grow(c, 2000)).as("nothing else to evict").isFalse();
        l.close();
        assertThat(limits.bytes()).isZero();
    }
}
