package dev.weft.testing.infra;

/** Stop/start of the test JVM's embedded broker, reachable from any class loader through JMX. */
public interface KafkaControlMBean {
    void stop();

    void start();
}
