package dev.weft.messaging.contact;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import dev.weft.platform.error.ApiException;

/**
 * Phone numbers to E.164 (libphonenumber) and to the key deduplication compares. The key folds national variants
 * that name one line: in Brazil a mobile number gained a ninth digit (+55 AA 9XXXX-XXXX), and the same phone still
 * reaches us without it (+55 AA XXXX-XXXX), from old CRM records and from WhatsApp ids alike. Only mobile ranges
 * fold (the digit after the 9 is 6-9, as mobiles were before the change), so a landline (2-5) never matches a mobile.
 */
public final class PhoneNumbers {
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
    private static final int BRAZIL = 55;

    /** {@code e164} as given, {@code key} with national variants folded. */
    public record Phone(String e164, String key) {
    }

    private PhoneNumbers() {
    }

    /** Parses an international number (+..., or 00... for the international prefix); anything else is a 400 naming {@code field}. */
    public static Phone parse(String raw, String field) {
        String text = raw == null ? "" : raw.strip();
        if (text.length() > 40) {
            throw invalid(field, "phone is too long to be a phone number");
        }
        if (text.startsWith("00")) {
            text = "+" + text.substring(2);
        }
        if (!text.contains("+")) {
            throw invalid(field, "phone must be in international format, with + and the country code (e.g. +971500000000)");
        }
        Phone known = PARSED.get(text);
        if (known != null) {
            return known;
        }
        Phonenumber.PhoneNumber number;
        try {
            number = UTIL.parse(text, null);
        } catch (NumberParseException e) {
            throw invalid(field, "phone is not a phone number: " + e.getMessage());
        }
        if (!UTIL.isPossibleNumber(number) || number.hasExtension()) {
            throw invalid(field, "phone is not a possible number for country code +" + number.getCountryCode());
        }
        String e164 = UTIL.format(number, PhoneNumberUtil.PhoneNumberFormat.E164);
        Phone phone = new Phone(e164, key(number, e164));
        if (PARSED.size() >= MAX_PARSED) {
            PARSED.clear(); // crude and rare: more distinct numbers than this between two clears
        }
        PARSED.put(text, phone);
        return phone;
    }

    /**
     * Numbers already parsed, by their text: every send and every inbound message parses its contact's number, the same
     * few numbers again and again, and libphonenumber's parse was about 3 % of a send's CPU. Only valid numbers are kept.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, Phone> PARSED = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_PARSED = 10_000;

    private static String key(Phonenumber.PhoneNumber number, String e164) {
        if (number.getCountryCode() == BRAZIL) {
            String national = UTIL.getNationalSignificantNumber(number);
            // AA 9 XXXX-XXXX (11 digits) with a mobile subscriber number after the 9: the key drops the 9.
            if (national.length() == 11 && national.charAt(2) == '9' && national.charAt(3) >= '6') {
                return "+55" + national.substring(0, 2) + national.substring(3);
            }
        }
        return e164;
    }

    private static ApiException invalid(String field, String message) {
        return ApiException.invalid(field, "e164", message);
    }
}
