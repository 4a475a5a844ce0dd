// How a PersistentVolume and a PersistentVolumeClaim relate, as the volume binder, the local
// provisioner and the scheduler's volume checks all read them (pkg/controller/volume).
#pragma once

#include <QJsonObject>
#include <QString>

namespace timonel::core {

// The annotation claims named their class with before spec.storageClassName.
inline constexpr QLatin1StringView betaStorageClassAnnotation{
    "volume.beta.kubernetes.io/storage-class"};

// The claim's class: spec.storageClassName (even ""), else the beta annotation.
QString claimStorageClass(const QJsonObject &claim);
// Filesystem unless spec.volumeMode says Block.
QString volumeModeOf(const QJsonObject &claimOrVolume);
// Every access mode the claim asks for is one the volume offers.
bool accessModesFit(const QJsonObject &claim, const QJsonObject &volume);
// The volume's claimRef names the claim (and its uid, when the reference has one).
bool isVolumeBoundToClaim(const QJsonObject &volume, const QJsonObject &claim);

} // namespace timonel::core
