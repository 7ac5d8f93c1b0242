package dev.weft.platform;

import dev.weft.platform.config.PlatformConfig;
import org.apache.kafka.common.record.CompressionType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** weft.platform.outbox.compression takes only what Kafka's producer takes, or the relay would never start its producer. */
class OutboxCompressionTest {
    @Test
    void every_setting_is_a_kafka_compression_type() {
        for (PlatformConfig.Outbox.Compression compression : PlatformConfig.Outbox.Compression.values()) {
            assertEquals(compression.kafkaName(), CompressionType.forName(compression.kafkaName()).name);
        }
    }
}
