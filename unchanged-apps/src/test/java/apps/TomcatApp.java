package apps;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * Tomcat 11 embedded, its NIO connector on a Unix-domain socket ({@code unixDomainSocketPath}), as written without
 * Shunt. {@code server <path>}: {@code POST /echo} returns the request body, {@code GET /report} the server's Shunt
 * report; prints {@code READY}. Its client is {@link JettyApp}'s.
 */
public final class TomcatApp {
    private TomcatApp() {
    }

    public static void main(String[] args) throws Exception {
        Path base = Files.createTempDirectory("tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setProperty("unixDomainSocketPath", args[1]);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        Tomcat.addServlet(context, "echo", new EchoServlet());
        context.addServletMappingDecoded("/*", "echo");
        tomcat.start();
        System.out.println("READY");
        tomcat.getServer().await();
    }

    /** Echoes request bodies; {@code GET} answers the Shunt report. */
    private static final class EchoServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            request.getInputStream().transferTo(response.getOutputStream());
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.getOutputStream().write(Report.shunt().getBytes(StandardCharsets.UTF_8));
        }
    }
}
