# syntax=docker/dockerfile:1
# The ou-operator image: the operator (default entry point), the state-streaming sidecar the operator injects
# into every unit pod, and the sample key-value store. Build:  docker build -t ou-operator:0.1.0 .
#
#   /deployments/operator/quarkus-run.jar     java -jar ...  (ENTRYPOINT)
#   /deployments/sidecar/ou-sidecar.jar       java -jar ...  (+ lib/; the operator's default sidecar command)
#   /deployments/samples/kvstore.jar          java -jar ...  (+ lib/; samples/kvstore-*.yaml)
#
# Without Docker, the same image (same layout, entry point, user and labels, same jlinked JRE modules) is built
# as a tarball by Jib: build/mvn -Pimage -DskipTests package  (see docs/installing.md).

ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-25
ARG JDK_IMAGE=eclipse-temurin:25-jdk
ARG RUNTIME_IMAGE=debian:bookworm-slim

# 1. Build the operator, the sidecar and the sample (tests run in CI, not here).
FROM ${MAVEN_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests -pl operator,sidecar,samples/kvstore -am package

# 2. A small JRE with just the modules the three programs use (image/jre-modules.txt, shared with the Jib build).
FROM ${JDK_IMAGE} AS jre
COPY image/jre-modules.txt /tmp/jre-modules.txt
RUN jlink --add-modules "$(tr -d ' \n' < /tmp/jre-modules.txt)" \
      --strip-debug --no-man-pages --no-header-files --compress=zip-6 --generate-cds-archive \
      --output /opt/java/openjdk \
 && rm -f /opt/java/openjdk/lib/libawt_xawt.so /opt/java/openjdk/lib/libjsound.so /opt/java/openjdk/lib/libsplashscreen.so \
      /opt/java/openjdk/lib/server/classes_nocoops.jsa \
 && /opt/java/openjdk/bin/java -version

# 3. The runtime: the JRE, the three programs, an unprivileged user.
FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="ou-operator" \
      org.opencontainers.image.description="Operational units on Kubernetes: operator, state-streaming sidecar and sample application" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.vendor="ou-operator" \
      dev.availability.ou.entrypoints="operator=/deployments/operator/quarkus-run.jar sidecar=/deployments/sidecar/ou-sidecar.jar kvstore=/deployments/samples/kvstore.jar"
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8
RUN groupadd --gid 1001 ou && useradd --uid 1001 --gid 1001 --home-dir /deployments --no-create-home --shell /usr/sbin/nologin ou
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
COPY --from=build /src/operator/target/quarkus-app/ /deployments/operator/
COPY --from=build /src/sidecar/target/ou-sidecar.jar /deployments/sidecar/ou-sidecar.jar
COPY --from=build /src/sidecar/target/lib/ /deployments/sidecar/lib/
COPY --from=build /src/samples/kvstore/target/kvstore.jar /deployments/samples/kvstore.jar
COPY --from=build /src/samples/kvstore/target/lib/ /deployments/samples/lib/
WORKDIR /deployments
USER 1001
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/deployments/operator/quarkus-run.jar"]
