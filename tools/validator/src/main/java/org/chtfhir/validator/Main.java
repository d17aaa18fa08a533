package org.chtfhir.validator;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;

/**
 * HL7's FHIR R4 validator (org.hl7.fhir.validation behind HAPI's
 * FhirInstanceValidator), offline, as a process that reads one JSON request
 * per line on stdin and answers one JSON line on stdout, so a test run pays
 * the JVM and definition start-up once.
 *
 * <p>Requests:
 *
 * <ul>
 *   <li>{"id":1,"context":"name","resources":[...]} defines a named context:
 *       conformance resources (Questionnaire, CodeSystem, ValueSet,
 *       StructureDefinition) the validator resolves canonicals against, e.g.
 *       a project's Questionnaires so QuestionnaireResponses are checked
 *       against them. Answer {"id":1,"ok":true}.
 *   <li>{"id":2,"context":"name","resource":{...}} validates one resource or
 *       Bundle (context optional: the core definitions only). Answer
 *       {"id":2,"issues":[{"severity","location","message","messageId"}]}.
 * </ul>
 *
 * <p>Terminology: no server. Code systems the core package and HAPI know
 * (FHIR's own, UCUM, BCP-47, ISO currencies and countries, MIME types) are
 * checked; unknown external ones (LOINC, SNOMED CT, ICD-11, CVX) give a
 * warning, not an error.
 */
public final class Main {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    // Everything else (HAPI's own prints) goes to stderr: stdout carries only answers.
    System.setOut(System.err);
    FhirContext ctx = FhirContext.forR4();
    DefaultProfileValidationSupport core = new DefaultProfileValidationSupport(ctx);
    Map<String, FhirValidator> validators = new LinkedHashMap<>();
    FhirValidator plain = build(ctx, core, new PrePopulatedValidationSupport(ctx), new Canonicals(ctx));
    // Warm up: load the core definitions before saying ready.
    plain.validateWithResult("{\"resourceType\":\"Basic\",\"code\":{\"text\":\"warm-up\"}}");
    out.println("{\"ready\":true}");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      ObjectNode answer = JSON.createObjectNode();
      try {
        JsonNode req = JSON.readTree(line);
        answer.set("id", req.get("id"));
        String context = req.hasNonNull("context") ? req.get("context").asText() : null;
        if (req.has("resources")) {
          PrePopulatedValidationSupport pre = new PrePopulatedValidationSupport(ctx);
          Canonicals others = new Canonicals(ctx);
          for (JsonNode r : req.get("resources")) {
            IBaseResource parsed = ctx.newJsonParser().parseResource(JSON.writeValueAsString(r));
            String type = ctx.getResourceType(parsed);
            if (type.equals("StructureDefinition") || type.equals("CodeSystem") || type.equals("ValueSet")) pre.addResource(parsed);
            else others.add(parsed);
          }
          validators.put(context, build(ctx, core, pre, others));
          answer.put("ok", true);
        } else {
          FhirValidator v = context == null ? plain : validators.get(context);
          if (v == null) throw new IllegalArgumentException("unknown context " + context);
          ValidationResult result = v.validateWithResult(JSON.writeValueAsString(req.get("resource")));
          ArrayNode issues = answer.putArray("issues");
          for (SingleValidationMessage m : result.getMessages()) {
            ObjectNode i = issues.addObject();
            i.put("severity", preferredLanguage(m) || offlineSnapshot(m) ? "warning" : m.getSeverity().getCode());
            i.put("location", m.getLocationString());
            i.put("message", m.getMessage());
            i.put("messageId", m.getMessageId());
          }
        }
      } catch (Exception e) {
        answer.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      out.println(JSON.writeValueAsString(answer));
    }
  }

  private static final java.util.regex.Pattern LANGUAGES_PASS_THROUGH =
      java.util.regex.Pattern.compile("^Code \"([A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*)\" is not in valueset: http://hl7\\.org/fhir/ValueSet/languages$");

  /**
   * HAPI 8.8.0 passes its common-code-systems verdict "not in ValueSet
   * languages" through as an error, though every R4 element bound to that
   * ValueSet (Resource.language, the translation extension's lang,
   * Attachment.language) binds it as preferred, with all-languages (any
   * BCP-47 tag) as the maximum: "sw" (Swahili) and "ny" (Chichewa) are valid
   * there. Such a message about a well-formed tag is reported as the warning
   * the binding strength makes it; anything else keeps its severity.
   */
  static boolean preferredLanguage(SingleValidationMessage m) {
    return "Terminology_PassThrough_TX_Message".equals(m.getMessageId())
        && m.getMessage() != null
        && LANGUAGES_PASS_THROUGH.matcher(m.getMessage()).matches();
  }

  /**
   * Validating any StructureDefinition offline regenerates its snapshot,
   * which needs the package id of the core definitions; the ones
   * DefaultProfileValidationSupport loads carry none, so HL7's own R4
   * extension definitions (patient-birthPlace) fail it the same way. That
   * message says nothing about the definition: reported as a warning.
   * Instances are still checked against the definition (an extension value
   * of the wrong type is an error).
   */
  static boolean offlineSnapshot(SingleValidationMessage m) {
    return m.getMessage() != null
        && m.getMessage().startsWith("Error generating Snapshot: Unable to resolve package id hl7.fhir.r4.core#null");
  }

  /**
   * Canonical resources PrePopulatedValidationSupport does not serve (it keeps
   * only StructureDefinitions, CodeSystems, ValueSets and SearchParameters):
   * here, the Questionnaires QuestionnaireResponses point at.
   */
  static final class Canonicals implements IValidationSupport {
    private final FhirContext ctx;
    private final Map<String, IBaseResource> byUrl = new HashMap<>();

    Canonicals(FhirContext ctx) {
      this.ctx = ctx;
    }

    void add(IBaseResource r) {
      IPrimitiveType<?> url = ctx.newTerser().getSingleValueOrNull(r, "url", IPrimitiveType.class);
      IPrimitiveType<?> version = ctx.newTerser().getSingleValueOrNull(r, "version", IPrimitiveType.class);
      if (url == null || url.getValueAsString() == null) return;
      byUrl.put(url.getValueAsString(), r);
      if (version != null && version.getValueAsString() != null) byUrl.put(url.getValueAsString() + "|" + version.getValueAsString(), r);
    }

    @Override
    public FhirContext getFhirContext() {
      return ctx;
    }

    @Override
    public <T extends IBaseResource> T fetchResource(Class<T> type, String uri) {
      IBaseResource r = uri == null ? null : byUrl.get(uri);
      return r != null && (type == null || type.isInstance(r)) ? type == null ? null : type.cast(r) : null;
    }

    @Override
    public String getName() {
      return "cht-fhir canonicals";
    }
  }

  private static FhirValidator build(FhirContext ctx, DefaultProfileValidationSupport core, PrePopulatedValidationSupport pre, Canonicals others) {
    UnknownCodeSystemWarningValidationSupport unknown = new UnknownCodeSystemWarningValidationSupport(ctx);
    unknown.setNonExistentCodeSystemSeverity(IValidationSupport.IssueSeverity.WARNING);
    ValidationSupportChain chain =
        new ValidationSupportChain(
            pre,
            others,
            core,
            new CommonCodeSystemsTerminologyService(ctx),
            new InMemoryTerminologyServerValidationSupport(ctx),
            new SnapshotGeneratingValidationSupport(ctx),
            unknown);
    FhirInstanceValidator instance = new FhirInstanceValidator(chain);
    FhirValidator validator = ctx.newValidator();
    validator.registerValidatorModule(instance);
    return validator;
  }
}
