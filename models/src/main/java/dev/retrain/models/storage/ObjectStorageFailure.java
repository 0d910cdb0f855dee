package dev.retrain.models.storage;

import java.io.IOException;

/**
 * Object storage refused or failed a request; the message names the object and the reason
 * in words (the SDK's exception, kept as the cause, is for logs).
 */
public class ObjectStorageFailure extends IOException {

	private static final long serialVersionUID = 1L;

	public ObjectStorageFailure(String message, Throwable cause) {
		super(message, cause);
	}

}
