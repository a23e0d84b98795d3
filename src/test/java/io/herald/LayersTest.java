package io.herald;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package layers of docs/architecture.md, kept: a class may use its own layer and the layers below it,
 * never one above; and no two packages depend on each other in a cycle. Bottom to top.
 */
class LayersTest {

    /** Bottom to top: each layer's packages. The root package ({@code io.herald}: the vocabularies) alone. */
    static final String[][] LAYERS = {
            {"Foundation", "io.herald", "io.herald.config..", "io.herald.log..", "io.herald.web.."},
            {"Domain", "io.herald.catalog..", "io.herald.auth..", "io.herald.cluster..", "io.herald.history.."},
            {"Event", "io.herald.event.."},
            {"Delivery", "io.herald.delivery.."},
            {"Bridge", "io.herald.bridge.."},
            {"Policies", "io.herald.access..", "io.herald.limits..", "io.herald.presence..", "io.herald.demo..", "io.herald.state..", "io.herald.inbox.."},
            {"GraphQL", "io.herald.graphql.."},
            {"Ops", "io.herald.stats..", "io.herald.health.."},
            {"Services", "io.herald.webhooks..", "io.herald.proxy.."},
            {"Sources", "io.herald.sources.."},
            {"Api", "io.herald.api.."},
            {"Http", "io.herald.http.."},
            {"Node", "io.herald.node.."},
    };

    /** The main classes as compiled (target/classes): read from that folder alone, not found by scanning the classpath. */
    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPath(java.nio.file.Path.of("target/classes"));

    @Test
    void noPackageImportsALayerAboveIt() {
        Architectures.LayeredArchitecture rule = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String[] layer : LAYERS) {
            rule = rule.layer(layer[0]).definedBy(Arrays.copyOfRange(layer, 1, layer.length));
        }
        for (int i = 0; i < LAYERS.length; i++) {
            List<String> above = Arrays.stream(LAYERS, i + 1, LAYERS.length).map(l -> l[0]).toList();
            rule = above.isEmpty()
                    ? rule.whereLayer(LAYERS[i][0]).mayNotBeAccessedByAnyLayer()
                    : rule.whereLayer(LAYERS[i][0]).mayOnlyBeAccessedByLayers(above.toArray(String[]::new));
        }
        rule.check(MAIN);
    }

    @Test
    void noCyclesBetweenPackages() {
        slices().matching("io.herald.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void everyPackageIsInALayer() {
        org.junit.jupiter.api.Assertions.assertTrue(MAIN.size() > 100, "the main classes were read: " + MAIN.size());
        List<String> known = Arrays.stream(LAYERS).flatMap(l -> Arrays.stream(l, 1, l.length))
                .map(p -> p.replace("..", "")).toList();
        List<String> unplaced = MAIN.stream().map(c -> c.getPackageName()).distinct()
                .filter(p -> known.stream().noneMatch(k -> p.equals(k) || (!k.equals("io.herald") && p.startsWith(k + "."))))
                .toList();
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), unplaced, "packages in no layer of LayersTest");
    }
}
