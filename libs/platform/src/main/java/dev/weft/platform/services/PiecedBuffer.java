package dev.weft.platform.services;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.io.OutputStream;

/**
 * A body of many kilobytes held as pieces of one composite buffer, never as one array. A batch of 5,000 records is
 * a few hundred KiB: written to one growing array, or gathered into one by {@code response.body()}, it is copied at
 * each doubling and ends as an array of half a G1 region or more (a "humongous" object: on a fuller heap each one
 * starts a collection cycle of its own, as bench/sync's sync-service did every few batches under a flight recorder).
 */
final class PiecedBuffer {
    /** Well under half of G1's smallest region (1 MiB). */
    static final int PIECE = 64 * 1024;

    private PiecedBuffer() {
    }

    /** An output stream whose bytes end up, without a copy, in {@link Out#buffer()}. */
    static Out out() {
        return new Out();
    }

    /** The response's body as the pieces it arrived in. */
    static Future<Buffer> body(HttpClientResponse response) {
        Promise<Buffer> body = Promise.promise();
        CompositeByteBuf pieces = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        response.handler(chunk -> pieces.addComponent(true, chunk.getByteBuf()));
        response.exceptionHandler(body::tryFail);
        response.endHandler(end -> body.tryComplete(Buffer.buffer(pieces)));
        return body.future();
    }

    static final class Out extends OutputStream {
        private final CompositeByteBuf pieces = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        private ByteBuf current;

        @Override
        public void write(int b) {
            room(1).writeByte(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            while (length > 0) {
                ByteBuf into = room(length);
                int n = Math.min(length, into.writableBytes());
                into.writeBytes(bytes, offset, n);
                offset += n;
                length -= n;
            }
        }

        /** Everything written so far; write nothing more after this. */
        Buffer buffer() {
            seal();
            return Buffer.buffer(pieces);
        }

        /**
         * Where the next bytes go. The first piece is only as large as the first write (Jackson hands over its whole
         * buffer, so a small body arrives in one write and takes no more than it needs); later ones are full pieces.
         */
        private ByteBuf room(int wanted) {
            if (current == null || !current.isWritable()) {
                boolean first = current == null && pieces.numComponents() == 0;
                int size = first ? Math.clamp(wanted, 256, PIECE) : PIECE;
                seal();
                current = Unpooled.buffer(size, size);
            }
            return current;
        }

        private void seal() {
            if (current != null && current.isReadable()) {
                pieces.addComponent(true, current);
            }
            current = null;
        }
    }
}
