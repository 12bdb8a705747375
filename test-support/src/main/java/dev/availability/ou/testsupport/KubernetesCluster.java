package dev.availability.ou.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against a real Kubernetes control plane, shared by every such class of the test run.
 *
 * <p>Test methods, constructors and {@code @BeforeAll}/{@code @AfterAll} methods can declare parameters of type
 * {@link io.fabric8.kubernetes.client.KubernetesClient}, {@link TestNamespace} (one fresh namespace per test class),
 * {@link ClusterFaults}, {@link LocalClusterHandle} and {@link ClusterConnection}. When a test fails, the state of
 * its namespace is printed ({@link ClusterDiagnostics}).
 *
 * <p>Tagged {@code cluster}: Maven runs these tests only with {@code -Pe2e}. Which cluster is used is decided by
 * environment variables, see {@link ClusterSource}; by default {@code testenv/local-cluster up --name ou-test} starts
 * one (once per run) and {@code down} deletes it at the end of the run.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag("cluster")
@ExtendWith(KubernetesClusterExtension.class)
public @interface KubernetesCluster {}
