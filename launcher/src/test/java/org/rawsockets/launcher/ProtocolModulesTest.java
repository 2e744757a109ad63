package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The build's rule that replaces the per-protocol launcher profiles: every bundle module of
 * {@code protocols/} (one with a {@code bnd.bnd}) is a plain provided-scope dependency of the
 * launcher, so {@code -pl launcher -am} builds it first and the distribution collects it into
 * {@code bundles/} and {@code deploy/}; the same for the web bundles of {@code web/} (console, Direct Sockets
 * bridge). {@code protocols/skeleton} is the template
 * {@code protocols/new-protocol} copies, not a protocol of the gateway.
 */
class ProtocolModulesTest {

    static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
    static final String TEMPLATE = "skeleton";

    @Test
    void everyProtocolBundleModuleIsALauncherDependency() throws Exception {
        TreeSet<String> modules = protocolBundles(ROOT);
        assertTrue(modules.contains("modbus") && modules.contains("smtp"), modules.toString());
        TreeSet<String> missing = new TreeSet<>(modules);
        missing.removeAll(launcherDependencies(ROOT));
        assertEquals(new TreeSet<>(), missing, "protocol bundle modules that launcher/pom.xml does not depend on: add"
                + " <dependency><groupId>org.rawsockets</groupId><artifactId>NAME</artifactId><version>${project.version}"
                + "</version><scope>provided</scope></dependency> for each (protocols/new-protocol does it)");
    }

    @Test
    void everyWebBundleModuleIsALauncherDependency() throws Exception {
        TreeSet<String> modules = bundles(ROOT, "web");
        assertTrue(modules.contains("web-console") && modules.contains("web-bridge"), modules.toString());
        TreeSet<String> missing = new TreeSet<>(modules);
        missing.removeAll(launcherDependencies(ROOT));
        assertEquals(new TreeSet<>(), missing, "web bundle modules (web/pom.xml) that launcher/pom.xml does not depend on:"
                + " add a provided-scope dependency for each, so the distribution ships it in bundles/ and deploy/");
    }

    /** The artifactIds of the bundle modules listed in {@code <aggregator>/pom.xml}. */
    static TreeSet<String> bundles(Path root, String aggregator) throws Exception {
        TreeSet<String> out = new TreeSet<>();
        for (String module : children(root.resolve(aggregator).resolve("pom.xml"), "modules", "module")) {
            Path dir = root.resolve(aggregator).resolve(module);
            if (Files.exists(dir.resolve("bnd.bnd"))) {
                out.add(text(document(dir.resolve("pom.xml")), "artifactId"));
            }
        }
        return out;
    }

    /** The artifactIds of the bundle modules listed in protocols/pom.xml, without the template. */
    static TreeSet<String> protocolBundles(Path root) throws Exception {
        TreeSet<String> out = new TreeSet<>();
        for (String module : children(root.resolve("protocols/pom.xml"), "modules", "module")) {
            Path dir = root.resolve("protocols").resolve(module);
            if (!module.equals(TEMPLATE) && Files.exists(dir.resolve("bnd.bnd"))) {
                out.add(text(document(dir.resolve("pom.xml")), "artifactId"));
            }
        }
        return out;
    }

    /** The artifactIds of launcher/pom.xml's provided-scope org.rawsockets dependencies. */
    static List<String> launcherDependencies(Path root) throws Exception {
        List<String> out = new ArrayList<>();
        Element project = document(root.resolve("launcher/pom.xml"));
        for (Element deps : elements(project, "dependencies")) {
            for (Element d : elements(deps, "dependency")) {
                if ("org.rawsockets".equals(text(d, "groupId")) && "provided".equals(text(d, "scope"))) {
                    out.add(text(d, "artifactId"));
                }
            }
        }
        return out;
    }

    private static List<String> children(Path pom, String list, String item) throws Exception {
        List<String> out = new ArrayList<>();
        for (Element l : elements(document(pom), list)) {
            elements(l, item).forEach(e -> out.add(e.getTextContent().strip()));
        }
        return out;
    }

    private static Element document(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
    }

    /** Direct child elements named {@code name}. */
    private static List<Element> elements(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element parent, String name) {
        List<Element> e = elements(parent, name);
        return e.isEmpty() ? null : e.get(0).getTextContent().strip();
    }
}
