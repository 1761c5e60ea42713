// hsm/openssl_handles.hpp — RAII owners for the OpenSSL objects hsm/ uses,
// in one place (STYLE section 5).
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "base/raii.hpp"

namespace signerd::hsm {

using EvpPkey = base::CHandle<EVP_PKEY, &EVP_PKEY_free>;
using PkeyCtx = base::CHandle<EVP_PKEY_CTX, &EVP_PKEY_CTX_free>;
using MdCtx = base::CHandle<EVP_MD_CTX, &EVP_MD_CTX_free>;
using Bio = base::CHandle<BIO, &BIO_free>;
using Bn = base::CHandle<BIGNUM, &BN_free>;
using EcdsaSig = base::CHandle<ECDSA_SIG, &ECDSA_SIG_free>;
using ParamBld = base::CHandle<OSSL_PARAM_BLD, &OSSL_PARAM_BLD_free>;
using Params = base::CHandle<OSSL_PARAM, &OSSL_PARAM_free>;

}  // namespace signerd::hsm
