package dev.weft.messaging.conversation;

import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** An inbox and the agents who take its new conversations in turn ({@code nextAgent} counts assignments made). */
@Entity
@Table(name = "inboxes")
public class Inbox extends OrgScopedEntity {
    public String name;
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "agent_ids")
    public String[] agentIds = new String[0];
    @Column(name = "next_agent")
    public long nextAgent;
}
