package dev.weft.connections.capture.poll;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The {@code limit} smallest items offered, for APIs whose listings come in no useful order: a poll walks every page
 * keeping only the next changes after its cursor, so memory stays bounded whatever the listing's size, and walks again
 * when more were left out.
 */
final class Smallest<T> {
    private final int limit;
    private final Comparator<T> order;
    private final PriorityQueue<T> kept;
    private boolean leftOut;

    Smallest(int limit, Comparator<T> order) {
        this.limit = limit;
        this.order = order;
        this.kept = new PriorityQueue<>(limit + 1, order.reversed());
    }

    void offer(T item) {
        kept.add(item);
        if (kept.size() > limit) {
            kept.poll();
            leftOut = true;
        }
    }

    /** Whether more items than {@code limit} were offered. */
    boolean leftOut() {
        return leftOut;
    }

    /** What was kept, smallest first. */
    List<T> sorted() {
        List<T> sorted = new ArrayList<>(kept);
        sorted.sort(order);
        return sorted;
    }
}
