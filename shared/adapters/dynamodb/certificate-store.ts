import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HostedUser } from '../../domain/controlpanel/users';
import { ConcurrentChangeError } from '../../domain/errors';
import type { CertificateStore, StoredCertificate } from '../../ports/controlpanel';
import type { Message } from '../../ports/message-log';
import { keys } from './keys';
import { messageItem } from './message-log';
import { pendingUpdate } from './provisioning-repository';
import { userItem } from './user-repository';
import { unitOfWork } from './unit-of-work';

/** SSL certificates of hosted users; the private key is stored only as the KeyCipher's ciphertext. */
export class DynamoCertificateStore implements CertificateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async transact(resellerId: string, before: HostedUser, after: HostedUser, cert: StoredCertificate | undefined, message: Message) {
    const T = this.tableName;
    await unitOfWork(this.db).run([
      {
        Put: {
          TableName: T,
          Item: userItem(after),
          ConditionExpression: '#v = :v',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':v': before.version },
        },
        onConditionFailed: new ConcurrentChangeError('the user was changed meanwhile; reload and try again'),
      },
      cert
        ? { Put: { TableName: T, Item: { ...keys.userCertificate(resellerId, after.username), type: 'certificate', ...cert } } }
        : { Delete: { TableName: T, Key: keys.userCertificate(resellerId, after.username) } },
      { Put: { TableName: T, Item: messageItem(resellerId, message) } },
      // The certificate is part of the user's desired state: its server gets it (or loses it).
      { Update: pendingUpdate(T, resellerId, after.username, message.at, after.serverId ? { serverId: after.serverId } : {}) },
    ]);
  }

  put(resellerId: string, user: HostedUser, cert: StoredCertificate, message: Message): Promise<void> {
    return this.transact(resellerId, user, { ...user, ssl: cert.summary, version: user.version + 1, updatedAt: message.at }, cert, message);
  }

  async get(resellerId: string, username: string): Promise<StoredCertificate | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.userCertificate(resellerId, username) }));
    if (!out.Item) return undefined;
    return {
      username: out.Item.username,
      certificatePem: out.Item.certificatePem,
      encryptedKey: out.Item.encryptedKey,
      summary: out.Item.summary,
      ...(out.Item.keyRef ? { keyRef: out.Item.keyRef, keySha256: out.Item.keySha256 } : {}),
    };
  }

  async recordKeyRef(resellerId: string, username: string, encryptedKey: string, keyRef: string, keySha256: string): Promise<boolean> {
    class Changed extends Error {}
    try {
      await unitOfWork(this.db).run([
        {
          Update: {
            TableName: this.tableName,
            Key: keys.userCertificate(resellerId, username),
            UpdateExpression: 'SET #r = :r, #s = :s',
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#r) AND #k = :k',
            ExpressionAttributeNames: { '#r': 'keyRef', '#s': 'keySha256', '#k': 'encryptedKey' },
            ExpressionAttributeValues: { ':r': keyRef, ':s': keySha256, ':k': encryptedKey },
          },
          onConditionFailed: new Changed(),
        },
      ]);
      return true;
    } catch (e) {
      if (e instanceof Changed) return false;
      throw e;
    }
  }

  remove(resellerId: string, user: HostedUser, message: Message): Promise<void> {
    return this.transact(resellerId, user, { ...user, ssl: null, version: user.version + 1, updatedAt: message.at }, undefined, message);
  }
}
