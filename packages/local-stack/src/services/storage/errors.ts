import { DATABASE_UNAVAILABLE_MESSAGE } from '../database-unavailable.ts';

/**
 * Storage's errors, shaped as supabase/storage renders them. Hosted Storage answers every
 * error that is not a 500 with HTTP 400 and puts the "real" status in the body's
 * `statusCode` string (`{"statusCode":"404","error":"not_found","message":"Object not found"}`);
 * storage-js reads both. We keep that quirk so apps that switch on it behave the same here.
 */
export type StorageErrorCode =
  | 'NoSuchBucket'
  | 'NoSuchKey'
  | 'InvalidJWT'
  | 'InvalidRequest'
  | 'EntityTooLarge'
  | 'InternalError'
  | 'ResourceAlreadyExists'
  | 'ResourceNotEmpty'
  | 'InvalidBucketName'
  | 'InvalidKey'
  | 'InvalidRange'
  | 'InvalidMimeType'
  | 'KeyAlreadyExists'
  | 'BucketAlreadyExists'
  | 'DatabaseTimeout'
  | 'InvalidSignature'
  | 'ExpiredToken'
  | 'AccessDenied'
  | 'DatabaseError'
  | 'MissingParameter'
  | 'InvalidParameter'
  | 'RequestTimeout'
  | 'DatabaseUnavailable';

/** The status hosted Storage reports in the body for each code (`statusCode`). */
export const STORAGE_ERROR_STATUS: Record<StorageErrorCode, number> = {
  NoSuchBucket: 404,
  NoSuchKey: 404,
  InvalidJWT: 400,
  InvalidRequest: 400,
  EntityTooLarge: 413,
  InternalError: 500,
  ResourceAlreadyExists: 409,
  ResourceNotEmpty: 409,
  InvalidBucketName: 400,
  InvalidKey: 400,
  InvalidRange: 400,
  InvalidMimeType: 415,
  KeyAlreadyExists: 409,
  BucketAlreadyExists: 409,
  DatabaseTimeout: 544,
  InvalidSignature: 400,
  ExpiredToken: 400,
  AccessDenied: 403,
  DatabaseError: 500,
  MissingParameter: 400,
  InvalidParameter: 400,
  RequestTimeout: 408,
  DatabaseUnavailable: 503,
};

export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    /** The legacy `error` field hosted still sends ("not_found", "Duplicate", …); defaults to the code. */
    readonly legacyError: string = code,
    options?: { cause?: unknown; httpStatus?: number; status?: number },
  ) {
    super(message, options);
    this.statusOverride = options?.status;
    this.httpStatusOverride = options?.httpStatus;
  }

  /** A few hosted errors carry another status than their code's (image processing passes imgproxy's on). */
  private readonly statusOverride: number | undefined;
  /** The rare hosted errors sent with their real HTTP status instead of 400 (emptying as non-service role). */
  private readonly httpStatusOverride: number | undefined;

  get status(): number {
    return this.statusOverride ?? STORAGE_ERROR_STATUS[this.code];
  }

  /** The HTTP status of the response: hosted sends 400 for everything but 500s (and 544 timeouts). */
  get httpStatus(): number {
    if (this.httpStatusOverride !== undefined) return this.httpStatusOverride;
    if (this.code === 'DatabaseTimeout') return 544;
    return this.status === 500 ? 500 : 400;
  }

  toBody(): { statusCode: string; code: StorageErrorCode; error: string; message: string } {
    return {
      statusCode: String(this.status),
      code: this.code,
      error: this.legacyError,
      message: this.message,
    };
  }
}

export function isStorageError(value: unknown): value is StorageError {
  return value instanceof StorageError;
}

/** Constructors named after the situations, with hosted's exact messages. */
export const storageErrors = {
  bucketNotFound: () => new StorageError('NoSuchBucket', 'Bucket not found', 'Bucket not found'),
  objectNotFound: () => new StorageError('NoSuchKey', 'Object not found', 'not_found'),
  bucketAlreadyExists: () =>
    new StorageError('BucketAlreadyExists', 'The resource already exists', 'Duplicate'),
  objectAlreadyExists: () => new StorageError('KeyAlreadyExists', 'The resource already exists', 'Duplicate'),
  resourceAlreadyExists: () =>
    new StorageError('ResourceAlreadyExists', 'The resource already exists', 'Duplicate'),
  bucketNotEmpty: () => new StorageError('ResourceNotEmpty', 'The bucket you tried to delete is not empty'),
  invalidKey: (key: string) => new StorageError('InvalidKey', `Invalid key: ${key}`),
  invalidBucketName: () => new StorageError('InvalidBucketName', 'Bucket name invalid', 'Invalid Input'),
  entityTooLarge: () =>
    new StorageError('EntityTooLarge', 'The object exceeded the maximum allowed size', 'Payload too large'),
  bucketLimitAboveGlobal: () =>
    new StorageError(
      'EntityTooLarge',
      'The bucket file size limit exceeded the maximum allowed size',
      'Payload too large',
    ),
  invalidMimeType: (mimeType: string) =>
    new StorageError('InvalidMimeType', `mime type ${mimeType} is not supported`, 'invalid_mime_type'),
  invalidRange: () => new StorageError('InvalidRange', 'invalid range provided', 'invalid_range'),
  accessDenied: (message: string) =>
    new StorageError('AccessDenied', message || 'Access denied', 'Unauthorized'),
  /** Emptying a bucket is for the service role only, refused with a real 403 (storage#1334). */
  serviceRoleRequired: () =>
    new StorageError('AccessDenied', 'Access denied: Invalid role', 'Unauthorized', { httpStatus: 403 }),
  tooManyObjectsToEmpty: () =>
    new StorageError(
      'InvalidRequest',
      'Unable to empty the bucket because it contains too many objects',
      'InvalidRequest',
      { status: 409 },
    ),
  /** What imgproxy answers (422 "Invalid source image") for a non-image, too large or too big a picture. */
  invalidSourceImage: (cause?: unknown) =>
    new StorageError('InvalidRequest', 'Invalid source image', 'InvalidRequest', { status: 422, cause }),
  imageTransformationUnavailable: (cause: unknown) =>
    new StorageError(
      'InternalError',
      `Image transformation is unavailable: ${(cause as Error)?.message ?? String(cause)}`,
      'InternalError',
      { cause },
    ),
  invalidJwt: (message: string) => new StorageError('InvalidJWT', message || 'Invalid JWT'),
  invalidSignature: () => new StorageError('InvalidSignature', 'Invalid signature'),
  expiredSignature: () => new StorageError('ExpiredToken', 'The provided token has expired.'),
  invalidRequest: (message: string) => new StorageError('InvalidRequest', message),
  missingParameter: (name: string) =>
    new StorageError('MissingParameter', `Missing Required Parameter ${name}`),
  invalidParameter: (name: string, message?: string) =>
    new StorageError('InvalidParameter', message ?? `Invalid Parameter ${name}`),
  noContent: () => new StorageError('InvalidRequest', 'No content provided'),
  /** A JSON body over the Storage mount's limit (Fastify's FST_ERR_CTP_BODY_TOO_LARGE on hosted). */
  bodyTooLarge: () => new StorageError('EntityTooLarge', 'Request body is too large', 'Payload Too Large'),
  bodyTimeout: () =>
    new StorageError('RequestTimeout', 'Timed out reading the request body', 'Request Timeout'),
  databaseTimeout: () => new StorageError('DatabaseTimeout', 'The connection to the database timed out'),
  /**
   * Not hosted Storage's own (it answers 500 DatabaseError): Postgres is unreachable for the
   * moment, answered with a real 503 as REST answers then (services/database-unavailable.ts).
   */
  databaseUnavailable: (cause?: unknown) =>
    new StorageError('DatabaseUnavailable', DATABASE_UNAVAILABLE_MESSAGE, 'DatabaseUnavailable', {
      cause,
      httpStatus: 503,
    }),
  databaseError: (sqlState: string, cause: unknown) =>
    new StorageError('DatabaseError', `database error, code: ${sqlState}`, 'DatabaseError', { cause }),
  internal: (cause?: unknown) =>
    new StorageError('InternalError', 'Internal server error', 'InternalError', { cause }),
};

/** The one place an error becomes a response body. */
export function storageErrorResponse(error: StorageError): Response {
  return Response.json(error.toBody(), { status: error.httpStatus });
}
