package dev.weft.platform.testapp;

import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** A stand-in resource for exercising the platform through a real service. */
@Entity
@Table(name = "widgets")
public class Widget extends OrgScopedEntity {
    public String name;
    public int size;
}
